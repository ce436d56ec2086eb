package web

import (
	"errors"
	"mime"
	"net/http"
	"reflect"

	"jianfu"
)

// Every text a browser or a client sends is cleaned by jianfu.CleanText
// before a handler reads it: forms here, as they pass the CSRF check (the
// gate of every state-changing browser request), and JSON bodies in decode.

// readForm parses a form body within the limit already set on the body and
// cleans its values. A body over the limit gets a message about its size,
// not about a missing CSRF token.
func readForm(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ct {
	case "multipart/form-data":
		if r.MultipartForm == nil {
			err = r.ParseMultipartForm(32 << 20)
		}
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	default:
		return nil
	}
	if err != nil {
		if e := bodyTooLarge(err); e != nil {
			return e
		}
		return jianfu.Errorf(jianfu.EINVALID, "无法读取表单:%v。请刷新页面后重新提交", "cannot read the form: %v; reload the page and submit again", err)
	}
	cleanForm(r)
	return nil
}

// bodyTooLarge turns the error of a body over its limit into a message
// that gives the limit; nil for other errors.
func bodyTooLarge(err error) error {
	var me *http.MaxBytesError
	if !errors.As(err, &me) {
		return nil
	}
	return tooLarge(me.Limit)
}

func tooLarge(limit int64) error {
	mb := (limit + 1<<20 - 1) >> 20
	return jianfu.Errorf(jianfu.ETOOLARGE, "上传内容过大:此处最多接受 %d MB,请压缩、拆分文件或减少图片后再提交", "the upload is too large: at most %d MB here; compress or split the file, or send fewer images", mb)
}

// cleanForm cleans every value of a parsed form.
func cleanForm(r *http.Request) {
	for _, vs := range []map[string][]string{r.Form, r.PostForm} {
		for _, list := range vs {
			for i := range list {
				list[i] = jianfu.CleanText(list[i])
			}
		}
	}
	if r.MultipartForm != nil {
		for _, list := range r.MultipartForm.Value {
			for i := range list {
				list[i] = jianfu.CleanText(list[i])
			}
		}
		for _, files := range r.MultipartForm.File {
			for _, fh := range files {
				fh.Filename = jianfu.CleanText(fh.Filename)
			}
		}
	}
}

// cleanStrings cleans every string a decoded JSON value holds: fields of
// structs, elements of slices, values of maps, through pointers.
func cleanStrings(v any) { cleanValue(reflect.ValueOf(v)) }

func cleanValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			cleanValue(v.Elem())
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if e := v.Elem(); e.Kind() == reflect.String && v.CanSet() {
			v.Set(reflect.ValueOf(jianfu.CleanText(e.String())))
		} else {
			cleanValue(e)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(jianfu.CleanText(v.String()))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				cleanValue(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			cleanValue(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			cleanValue(e)
			v.SetMapIndex(k, e)
		}
	}
}
