package detect

// The normaliser's character tables (data/t2s.txt, data/pinyin.txt) come
// from OpenCC's dictionaries and go-pinyin; `go generate ./detect` rewrites
// them and tables_test.go checks the committed files agree.
//go:generate go run gen_tables.go

// data/model.bin, the statistical layer's weights, is trained on every
// labelled set but heldout (model_test.go, modelTrainSets); training is
// deterministic, so this reproduces the committed file byte for byte.
//go:generate go test -run ^TestTrainModel$ -count=1 . -args -train-model
