-- The filing check reads what a channel does: the detector runs over its
-- name, functions and purpose (registry rule function.formalism).
INSERT INTO registry_rules(rule, enabled, level, threshold, clause, source) VALUES
 ('function.formalism', TRUE, 'warn', 0, '政务公众账号的推广使用应从实际需求出发,不得作强制性要求;不得滥用政务应用程序、政务公众账号的关注点赞、转发评论功能,不得将其作为考核评价、评比评选的依据', '《关于防治“指尖上的形式主义”的若干意见》');

-- A scorecard failed on a veto item says why instead of carrying a score.
ALTER TABLE scorecards ADD COLUMN veto TEXT NOT NULL DEFAULT '';
-- Complaints about a channel, for its scorecard's complaints component.
CREATE INDEX cases_channel ON cases(channel_id, created_at);

-- The reporter's answer to the follow-up after closure (满意度回访), once
-- per case; the comment is stored redacted.
CREATE TABLE case_satisfaction (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    rating  TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    at      BIGINT NOT NULL
);
