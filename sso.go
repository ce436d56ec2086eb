package jianfu

import (
	"context"
	"time"
)

// Single sign-on (统一身份认证) through OpenID Connect: the browser goes
// to the province's identity provider, comes back with a code, and the ID
// token the code buys names the person in one claim (SSOConfig.Claim, by
// default preferred_username). Its value, lower-cased, is a jianfu
// username: an administrator creates the account with that name, and the
// verified person logs in to it without a jianfu password. A verified
// person with no such account (or a disabled or application account) is
// refused with SSOUnmapped and audited. Local passwords stay available.

// SSOAttempt is a single sign-on login under way: the state the browser
// carries to the identity provider and back, the nonce the ID token must
// repeat, the PKCE verifier, and the page to go to afterwards.
type SSOAttempt struct {
	State, Nonce, Verifier, Next string
	Expires                      time.Time
}

// SSOLifetime is how long a browser has to come back from the identity
// provider.
const SSOLifetime = 10 * time.Minute

// SSOIdentity is a person the identity provider vouched for: the token's
// issuer and subject, the mapping claim's name and value, and where the
// browser is.
type SSOIdentity struct {
	Issuer, Subject, Claim, Value string
	IP, UserAgent                 string
}

// SingleSignOn keeps single sign-on attempts and starts sessions for
// verified people.
type SingleSignOn interface {
	// BeginSSO stores an attempt.
	BeginSSO(ctx context.Context, a *SSOAttempt) error
	// TakeSSO returns the attempt of a state and deletes it, so a state
	// is good once; EINVALID for an unknown, used or expired state.
	TakeSSO(ctx context.Context, state string) (*SSOAttempt, error)
	// SSOLogin maps the identity to its user and starts a session as a
	// password login would, returning the user and the session token;
	// EUNAUTHORIZED (SSOUnmapped) when no usable account has the name.
	// Both outcomes are audited. Account lockout does not apply: the
	// identity provider checked the person.
	SSOLogin(ctx context.Context, id SSOIdentity) (*User, string, error)
}

// SSOUnmapped is the answer to a verified person without a usable account.
func SSOUnmapped() error {
	return Errorf(EUNAUTHORIZED, "统一身份认证已确认您的身份,但本平台没有与之对应的可用账号。请联系本单位管理员按统一身份认证的账号名开通账号后再登录", "the identity provider vouched for you, but no usable account here matches; ask your unit's administrator to create one with your single sign-on account name")
}

// RateLimits are counters shared by every replica on the database, for
// the limits that matter for abuse (login failures and public submissions
// per address). A count covers a sliding window: the current fixed window
// plus the previous one weighted by how much of it the sliding window
// still covers.
type RateLimits interface {
	// Hit counts one event of key and returns the count in the window,
	// this event included.
	Hit(ctx context.Context, key string, window time.Duration) (int, error)
	// Count returns the count in the window without adding to it.
	Count(ctx context.Context, key string, window time.Duration) (int, error)
}
