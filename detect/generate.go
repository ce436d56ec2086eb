package detect

// The normaliser's character tables (data/t2s.txt, data/pinyin.txt) come
// from OpenCC's dictionaries and go-pinyin; `go generate ./detect` rewrites
// them and tables_test.go checks the committed files agree.
//go:generate go run gen_tables.go
