package detect
import ("testing";"fmt";"os";"bufio";"strings";"sort")
func TestProbe(t *testing.T){
 d,_:=New()
 f,_:=os.Open(os.Getenv("PROBE"))
 sc:=bufio.NewScanner(f)
 bad:=0
 for sc.Scan(){ parts:=strings.SplitN(sc.Text(),"|",3); r:=d.Analyze(Message{Text:parts[2]})
  var got []string; for _,c:=range r.Categories{ if !r.Exempt {got=append(got,string(c))}}
  want:=strings.Split(parts[0],","); if parts[0]==""{want=nil}
  sort.Strings(got); sort.Strings(want)
  if strings.Join(got,",")!=strings.Join(want,","){ bad++; fmt.Printf("want %v got %v  %s %v\n", want, got, parts[2], r.Spans)}
 }
 fmt.Println("bad",bad)
}
