package ingest

import (
	"testing"

	"jianfu/detect"
	"jianfu/redact"
	"jianfu/textsim"
)

func TestTopicMakesTheSameRequestComparable(t *testing.T) {
	d := testDetector(t)
	topic := func(text string) string {
		r := d.Analyze(detect.Message{Text: text})
		return Topic([]rune(redact.Mask(text)), r.Spans)
	}
	a := topic("@所有人 请各村于本周五下班前报送辖区60岁以上独居老人信息统计表,模板见附件")
	b := topic("各社区:请在3月8日前上报60岁以上独居老人信息统计表(纸质版盖章)")
	c := topic("请各村今晚10点前接龙报送第一季度安全生产检查台账")
	e := topic("60岁以上独居老人信息统计表,请各网格员明早8点前再报一次")
	if a != "辖区60岁以上独居老人信息统计表" {
		t.Errorf("topic a = %q", a)
	}
	if b != "60岁以上独居老人信息统计表" {
		t.Errorf("topic b = %q", b)
	}
	if !sameRequest(a, b) {
		t.Errorf("%q and %q should be the same request", a, b)
	}
	if !sameRequest(b, e) {
		t.Errorf("%q and %q (object before the verb) should be the same request", b, e)
	}
	if sameRequest(a, c) {
		t.Errorf("%q and %q are different requests", a, c)
	}
	if got := topic("请今晚报送独居老人信息统计表,联系王科长13812345678"); got != "独居老人信息统计表" {
		t.Errorf("the topic is the clause of the demand: %q", got)
	}
}

var testDet *detect.Detector

func testDetector(t *testing.T) *detect.Detector {
	if testDet == nil {
		d, err := detect.New()
		if err != nil {
			t.Fatal(err)
		}
		testDet = d
	}
	return testDet
}

// sameRequest is the matcher the store clusters 多头报送 with.
func sameRequest(a, b string) bool { return textsim.Requests{}.Same(a, b) }
