package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"jianfu/web"
)

// oidcFlags configure single sign-on through OpenID Connect (统一身份认证).
// The client secret comes from an environment variable or a file, never
// from a flag (flags show in the process list) and is never logged.
type oidcFlags struct {
	issuer, clientID, secretFile, redirect, scopes, claim, button string
}

func (f *oidcFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.issuer, "oidc-issuer", os.Getenv("JIANFU_OIDC_ISSUER"), "统一身份认证(OpenID Connect)签发方地址,如 https://sso.example.gov.cn/realms/province;设置后登录页出现“统一身份认证登录”按钮,本地密码登录仍可用;也可用环境变量 JIANFU_OIDC_ISSUER")
	fl.StringVar(&f.clientID, "oidc-client-id", os.Getenv("JIANFU_OIDC_CLIENT_ID"), "在统一身份认证登记的客户端标识;也可用环境变量 JIANFU_OIDC_CLIENT_ID")
	fl.StringVar(&f.secretFile, "oidc-client-secret-file", os.Getenv("JIANFU_OIDC_CLIENT_SECRET_FILE"), "保存客户端密钥的文件(只读一行);也可用环境变量 JIANFU_OIDC_CLIENT_SECRET 直接给出密钥。密钥不会写入日志")
	fl.StringVar(&f.redirect, "oidc-redirect-url", os.Getenv("JIANFU_OIDC_REDIRECT_URL"), "回调地址,须在统一身份认证登记,形如 https://jianfu.example.gov.cn"+web.OIDCCallbackPath+";也可用环境变量 JIANFU_OIDC_REDIRECT_URL")
	fl.StringVar(&f.scopes, "oidc-scopes", envOr("JIANFU_OIDC_SCOPES", "profile"), "除 openid 外申请的范围,逗号分隔")
	fl.StringVar(&f.claim, "oidc-claim", envOr("JIANFU_OIDC_CLAIM", web.DefaultOIDCClaim), "身份凭证中对应本平台用户名的声明(claim),其值转为小写后须等于用户名,如 preferred_username 或工号声明 employee_no")
	fl.StringVar(&f.button, "oidc-button", os.Getenv("JIANFU_OIDC_BUTTON"), "登录页按钮上的文字,默认“统一身份认证登录”")
}

// config reads the flags; nil when single sign-on is off.
func (f oidcFlags) config() (*web.OIDCConfig, error) {
	if f.issuer == "" && f.clientID == "" && f.redirect == "" {
		return nil, nil
	}
	var missing []string
	for _, m := range []struct{ v, name string }{{f.issuer, "--oidc-issuer"}, {f.clientID, "--oidc-client-id"}, {f.redirect, "--oidc-redirect-url"}} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return nil, usageError{"启用统一身份认证还需要:" + strings.Join(missing, "、")}
	}
	for _, u := range []struct{ v, name string }{{f.issuer, "--oidc-issuer"}, {f.redirect, "--oidc-redirect-url"}} {
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return nil, usageError{fmt.Sprintf("%s 应为完整网址(https://…),收到 %q", u.name, u.v)}
		}
	}
	if p, _ := url.Parse(f.redirect); p.Path != web.OIDCCallbackPath {
		return nil, usageError{fmt.Sprintf("--oidc-redirect-url 的路径应为 %s(收到 %q),例如 https://jianfu.example.gov.cn%s", web.OIDCCallbackPath, p.Path, web.OIDCCallbackPath)}
	}
	secret := os.Getenv("JIANFU_OIDC_CLIENT_SECRET")
	if f.secretFile != "" {
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return nil, usageError{fmt.Sprintf("无法读取 --oidc-client-secret-file 指定的文件:%v", err)}
		}
		secret = strings.TrimSpace(string(b))
	}
	var scopes []string
	for _, s := range strings.Split(f.scopes, ",") {
		if s = strings.TrimSpace(s); s != "" && s != "openid" {
			scopes = append(scopes, s)
		}
	}
	if strings.TrimSpace(f.claim) == "" {
		return nil, usageError{"--oidc-claim 不能为空,例如 preferred_username"}
	}
	return &web.OIDCConfig{Issuer: f.issuer, ClientID: f.clientID, ClientSecret: secret, RedirectURL: f.redirect, Scopes: scopes, Claim: strings.TrimSpace(f.claim), Button: f.button}, nil
}
