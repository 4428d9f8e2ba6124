"""Settings of login protection and security headers (accounts app)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SecuritySettings(BaseModel):
    """Login throttling, secure cookies, security headers, second factor, the admin site."""

    login_max_failures: int = Field(
        5, ge=1, description="Failed logins of one account (staff or subscriber) before throttling."
    )
    login_lockout_s: int = Field(900, ge=1, description="Throttle window after too many failures.")
    session_cookie_secure: bool = Field(
        True, description="Send session and CSRF cookies over HTTPS only (demo default: off)."
    )
    login_max_failures_per_address: int = Field(
        20,
        ge=1,
        description="Failed logins from one source address, on any accounts, "
        "before that address is throttled (subscribers behind CGNAT share one).",
    )
    content_security_policy: str = Field(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'",
        description="Content-Security-Policy header of every page (no inline scripts); "
        "empty: no header.",
    )
    content_security_policy_report_only: bool = Field(
        False, description="Send the policy as Content-Security-Policy-Report-Only instead."
    )
    permissions_policy: str = Field(
        "camera=(), microphone=(), geolocation=(), usb=()",
        description="Permissions-Policy header; empty: no header.",
    )
    no_store_authenticated: bool = Field(
        True,
        description="Cache-Control: no-store on every response to a logged-in staff member "
        "or subscriber (pages and API), so balances and personal data stay out of caches.",
    )
    hsts_seconds: int = Field(
        31536000,
        ge=0,
        description="Strict-Transport-Security max-age, sent on HTTPS requests only; 0: off.",
    )
    hsts_include_subdomains: bool = Field(False, description="HSTS for every subdomain too.")
    ssl_redirect: bool = Field(False, description="Redirect plain HTTP requests to HTTPS.")
    secure_proxy_ssl_header: str = Field(
        "",
        pattern=r"^[A-Za-z0-9-]*$",
        description="Header a TLS-terminating reverse proxy sets to 'https' (e.g. "
        "X-Forwarded-Proto); empty: only a direct TLS connection counts as secure.",
    )
    second_factor_groups: list[str] = Field(
        default_factory=list,
        description="Staff groups (roles) whose members must log in with a second factor "
        "(TOTP app, recovery codes).",
    )
    second_factor_superusers: bool = Field(
        False, description="Superusers must log in with a second factor too."
    )
    admin_enabled: bool = Field(
        True,
        description="Serve Django's admin site at /admin/ (staff and permissions are managed "
        "there; its login is throttled like /login/). Off: /admin/ answers 404.",
    )


def csp_directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy text ("default-src 'self'; img-src data:") as
    django-csp's DIRECTIVES: each directive's name and its list of sources."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives
