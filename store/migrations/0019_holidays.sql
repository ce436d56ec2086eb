-- Holiday schedules (法定节假日与调休安排) uploaded on the 系统管理 page
-- (issue 14): the file as uploaded, in the format of calendar.Supplement,
-- the years it covers, who and when. Every replica applies them, in id
-- order, over the built-in data and any --holidays file.
CREATE TABLE holiday_files (
    id          {{id}},
    first_year  INTEGER NOT NULL,
    last_year   INTEGER NOT NULL,
    content     TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploader    TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
