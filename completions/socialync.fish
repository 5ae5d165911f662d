# socialync fish completion, generated from the command tree by `socialync completion fish` (do not edit;
# regenerate with: npm run completions). Connection names, post ids and time zones come from
# `socialync __complete <kind>`, which reads the local state without changing it.
# Load it: copy to ~/.config/fish/completions/socialync.fish, or: socialync completion fish | source

function __socialync_spec
    set -g __socialync_subs
    set -g __socialync_descs
    set -g __socialync_opts
    set -g __socialync_optdescs
    set -g __socialync_vals
    set -g __socialync_args
    switch "$argv[1]"
        case ''
            set -g __socialync_subs 'app' 'connect' 'disconnect' 'status' 'sandbox' 'secrets' 'refresh' 'token' 'api' 'notify' 'cron' 'doctor' 'config' 'completion' 'schedule' 'publish' 'daemon' 'retry' 'db' 'team' 'help'
            set -g __socialync_descs 'manage your own developer apps\' credentials, one per platform' 'log in to a platform in the browser and keep the connection' 'revoke a connection at the platform where possible and delete its tokens' 'show the health of every connection and the command that fixes it' 'try socialync against the built-in simulator of every platform (no real accounts)' 'where tokens and client secrets are kept' 'refresh tokens that are close to expiry (meant for cron; quiet on success)' 'print a connection\'s access token for your own scripts (refreshed first when due)' 'call a platform\'s API with a connection\'s token (like gh api)' 'notifications when connections or posts need attention, and when they recover (webhook, email, desktop)' 'run `refresh` hourly from cron (or a systemd user timer)' 'check the setup (Node, secrets, files, database, config, apps, ports, clock, network, connections, cron) and print the fix for each problem' 'show and change settings (config.json), validated' 'print the shell completion script (bash, zsh or fish)' 'schedule posts and see their per-platform state' 'publish every post that is due now (run it from cron every minute)' 'stay running: publish posts when they are due and refresh tokens hourly' 'send again what failed: only failed targets (published ones are never touched); unconfirmed ones are checked first' 'the state database: which store is in use, its schema, moving a profile into PostgreSQL' 'share connections between machines through the PostgreSQL store, secrets encrypted per machine' 'show help for a command, or a topic: environment, exit-codes'
            set -g __socialync_opts '-V' '--version' '-q' '--quiet' '-v' '--verbose' '--debug' '-h' '--help'
            set -g __socialync_optdescs 'output the version number' 'output the version number' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)' 'display help for command' 'display help for command'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'app'
            set -g __socialync_subs 'set' 'list' 'remove' 'help'
            set -g __socialync_descs 'store a platform app\'s client id and secret, and print the redirect URI to register' 'show the configured apps (secrets masked)' 'forget a platform app\'s credentials (connections stay)' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'app set'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--client-id' '--client-secret-stdin' '--client-type' '--port' '--redirect-host' '--https' '--login' '--business-manager' '--programmatic-refresh' '--organizations' '--testing' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'client id (TikTok: client key); or env SOCIALYNC_<PLATFORM>_CLIENT_ID' 'read the client secret from standard input (or env SOCIALYNC_<PLATFORM>_CLIENT_SECRET, or a prompt)' 'X only: public (Native App, no secret) or confidential (Web App, Basic auth)' 'fixed redirect port to register (X, LinkedIn, Instagram, Facebook)' 'loopback host in the redirect URI: 127.0.0.1 or localhost' 'serve the loopback redirect over https with a self-signed certificate (e.g. Facebook apps in live mode)' 'Instagram only: instagram (Instagram Login, the default) or facebook (an account linked to a Facebook Page, Facebook Login)' 'Instagram with --login facebook: your Page role comes through Business Manager (asks for business_management too)' 'LinkedIn: the app is approved for programmatic refresh tokens' 'LinkedIn: the app has the Community Management API (asks for w_organization_social and r_organization_social; connect --page <organization id>)' 'YouTube: the Google app is in Testing status (refresh tokens last 7 days)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--client-id=none' '--client-type=w:public,confidential' '--port=none' '--redirect-host=w:127.0.0.1,localhost' '--login=w:instagram,facebook'
            set -g __socialync_args 'platforms'
        case 'app list'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 
        case 'app remove'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'platforms'
        case 'connect'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--name' '--port' '--no-browser' '--timeout' '--page' '--handle' '--instance' '--retry-failed' '--no-retry' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'local name for this account (default: its username); reconnects it if it exists' 'port for the loopback listener (must match the redirect URI registered for fixed-port platforms)' 'print the URL instead of opening a browser, and accept the final URL pasted on stdin (SSH, headless)' 'how long to wait for the browser' 'Facebook: the Page to publish to; Instagram with Facebook Login: the @account or its Page (asked on a terminal when there are several); LinkedIn: the organization id to post as' 'Bluesky: the account to log in as (alice.bsky.social or a DID); without it, bsky.social asks' 'Mastodon: the server of your account, e.g. mastodon.social (socialync registers itself there; no developer portal)' 'after reconnecting, retry the posts that failed because this account\'s token was dead, without asking' 'after reconnecting, do not offer to retry failed posts' 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--name=connections' '--port=none' '--timeout=none' '--page=none' '--handle=none' '--instance=none' '--jq=none'
            set -g __socialync_args 'platforms'
        case 'disconnect'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--keep-remote' '-y' '--yes' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'do not revoke at the platform; only forget the tokens here' 'do not ask for confirmation (needed when not run from a terminal)' 'do not ask for confirmation (needed when not run from a terminal)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'platforms' 'connections'
        case 'status'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 'platforms'
        case 'sandbox'
            set -g __socialync_subs 'demo' 'serve' 'expire' 'revoke' 'password-change' 'help'
            set -g __socialync_descs 'start the sandbox, connect every platform in a throwaway profile, then show status' 'run the sandbox in the foreground with a profile pointed at it (use it from another terminal)' 'make the sandbox expire a connection\'s access token now (or, with --refresh-token, its refresh token)' 'make the sandbox revoke a connection, as when the user removes the app' 'make the sandbox act as if the account\'s password changed (Meta: error 460)' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'sandbox demo'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--dir' '--browser' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'profile folder to use (default: a new temporary folder)' 'open each consent page in your browser and click Approve yourself' 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--dir=dirs' '--jq=none'
            set -g __socialync_args 
        case 'sandbox serve'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--dir' '--auto-approve' '--keep' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'profile folder to use (default: a new temporary folder, removed when the sandbox stops)' 'approve consent pages automatically (as the sandbox account alice)' 'keep the temporary profile when the sandbox stops' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--dir=dirs'
            set -g __socialync_args 
        case 'sandbox expire'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--account' '--refresh-token' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'only this sandbox account (default: every account)' 'expire the refresh token too: the connection then needs a reconnect' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--account=connections'
            set -g __socialync_args 'platforms'
        case 'sandbox revoke'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--account' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'only this sandbox account (default: every account)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--account=connections'
            set -g __socialync_args 'platforms'
        case 'sandbox password-change'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--account' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'the sandbox account' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--account=connections'
            set -g __socialync_args 'platforms'
        case 'secrets'
            set -g __socialync_subs 'where' 'use-file' 'help'
            set -g __socialync_descs 'show the secret backend and where secrets live (does not unlock anything)' 'switch to the encrypted-file backend for headless machines and cron (creates a 0600 key file)' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'secrets where'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 
        case 'secrets use-file'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'refresh'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--account' '--force' '--dry-run' '--json' '--concurrency' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'only this connection (its local name)' 'refresh even when not due' 'show what would be refreshed; change nothing' 'print JSON (fields: docs/json.md)' 'connections refreshed in parallel' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--account=connections' '--concurrency=none' '--jq=none'
            set -g __socialync_args 'platforms'
        case 'token'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--account' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'the connection (its local name) when the platform has several' 'print {platform, account, accessToken, expiresAt, scopes}' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--account=connections' '--jq=none'
            set -g __socialync_args 'platforms'
        case 'api'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--account' '-X' '--method' '-f' '--raw-field' '-F' '--field' '-H' '--header' '--input' '--paginate' '--slurp' '-i' '--include' '--silent' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'the connection (its local name) when the platform has several' 'HTTP method (GET|POST|PUT|PATCH|DELETE); default GET, or POST with fields or --input' 'HTTP method (GET|POST|PUT|PATCH|DELETE); default GET, or POST with fields or --input' 'add a string field (repeatable; key[]=v for a list, key[sub]=v nested)' 'add a string field (repeatable; key[]=v for a list, key[sub]=v nested)' 'add a typed field: integers, true, false, null, @file, @- (repeatable)' 'add a typed field: integers, true, false, null, @file, @- (repeatable)' 'add an HTTP header (repeatable)' 'add an HTTP header (repeatable)' 'the request body from a file, or - for standard input (fields then go to the query)' 'fetch every page (Graph paging.next, X next_token, YouTube nextPageToken, LinkedIn start/count, TikTok cursor, Mastodon Link rel="next")' 'with --paginate: print all pages as one JSON array' 'print the HTTP status and response headers first' 'print the HTTP status and response headers first' 'do not print the response body' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--account=connections' '-X=w:GET,POST,PUT,PATCH,DELETE' '--method=w:GET,POST,PUT,PATCH,DELETE' '-f=none' '--raw-field=none' '-F=none' '--field=none' '-H=none' '--header=none' '--input=files'
            set -g __socialync_args 'platforms' 'none'
        case 'notify'
            set -g __socialync_subs 'set' 'unset' 'list' 'signing-secret' 'test' 'help'
            set -g __socialync_descs 'configure a channel' 'remove a channel' 'show configured channels' 'print the webhook signing secret (for setting up the receiver)' 'send a test notification to every channel (or one); with --kind, a sample of that kind to the channels that take it' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'notify set'
            set -g __socialync_subs 'webhook' 'email' 'desktop' 'help'
            set -g __socialync_descs 'POST JSON with a plain "text" field (Slack, Discord, ntfy-style receivers), optionally signed' 'send email over SMTP (password from SOCIALYNC_SMTP_PASSWORD or a prompt; kept in the secret store)' 'desktop notices in this session (Linux: freedesktop notifications over D-Bus; macOS: osascript)' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'notify set webhook'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--url-stdin' '--sign' '--kinds' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'read the URL from standard input (keeps it out of the process list and shell history)' 'sign every request (HMAC-SHA256, docs/notifications.md#signed-webhooks): makes a new secret and prints it (later: notify signing-secret); with no URL, keeps the URL set before' 'only notices of these kinds (comma-separated: reconnect_needed, expiring, post_failed, recovered); default: all' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--kinds=w:reconnect_needed,expiring,post_failed,recovered'
            set -g __socialync_args 'none'
        case 'notify set email'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--to' '--from' '--smtp-host' '--smtp-port' '--smtp-user' '--smtp-secure' '--kinds' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'recipient' 'sender' 'SMTP server' 'SMTP port (default 587; 465 = TLS)' 'SMTP login (the password is asked, or read from SOCIALYNC_SMTP_PASSWORD)' 'TLS from the start (default only for port 465; otherwise STARTTLS when offered)' 'only notices of these kinds (comma-separated: reconnect_needed, expiring, post_failed, recovered); default: all' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--to=none' '--from=none' '--smtp-host=none' '--smtp-port=none' '--smtp-user=none' '--kinds=w:reconnect_needed,expiring,post_failed,recovered'
            set -g __socialync_args 
        case 'notify set desktop'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--kinds' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'only notices of these kinds (comma-separated: reconnect_needed, expiring, post_failed, recovered); default: all' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--kinds=w:reconnect_needed,expiring,post_failed,recovered'
            set -g __socialync_args 
        case 'notify unset'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'w:webhook,email,desktop'
        case 'notify list'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 
        case 'notify signing-secret'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'notify test'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--kind' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'a sample notice of this kind (reconnect_needed, expiring, post_failed, recovered), marked as a test' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--kind=w:reconnect_needed,expiring,post_failed,recovered'
            set -g __socialync_args 'w:webhook,email,desktop'
        case 'cron'
            set -g __socialync_subs 'install' 'uninstall' 'print' 'help'
            set -g __socialync_descs 'install the crontab entry (or systemd user timer)' 'uninstall the crontab entry (or systemd user timer)' 'print the crontab entry (or units) without installing' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'cron install'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--systemd' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'use a systemd user timer instead of crontab' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'cron uninstall'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--systemd' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'use a systemd user timer instead of crontab' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'cron print'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--systemd' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'use a systemd user timer instead of crontab' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'doctor'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--offline' '--json' '--timeout' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'skip the checks that use the network (reachability, clock, live who-am-I)' 'print JSON (fields: docs/json.md)' 'timeout of each network check' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--timeout=none' '--jq=none'
            set -g __socialync_args 
        case 'config'
            set -g __socialync_subs 'list' 'get' 'set' 'unset' 'help'
            set -g __socialync_descs 'every setting with its value, where the value comes from, and its default' 'print the value in effect for one setting' 'change one setting (checked before it is saved)' 'remove one setting from config.json (back to its default)' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'config list'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 
        case 'config get'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'none'
        case 'config set'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'none' 'none'
        case 'config unset'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'none'
        case 'completion'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'w:bash,zsh,fish'
        case 'schedule'
            set -g __socialync_subs 'add' 'list' 'show' 'edit' 'cancel' 'calendar' 'help'
            set -g __socialync_descs 'schedule a post to one or more platforms (asks for what is missing on a terminal)' 'list upcoming posts and recent failures (--all: every post) with their per-platform state' 'show one post: text, media, and each platform target with its attempts' 'change a post that is not published yet (asks on a terminal when no flags are given)' 'cancel the targets of a post that are not published yet' 'draw the schedule as a week (days across, hours down) or a month grid' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'schedule add'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--to' '--at' '--tz' '--earlier' '--later' '--now' '--text' '--text-file' '--title' '--privacy' '--media' '--media-type' '--set' '--option' '--board' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'platforms, comma-separated; platform:name picks one of several accounts' '"YYYY-MM-DD HH:MM" in --tz, an ISO instant, "now" or "+30m"' 'IANA time zone of --at (default: the system zone)' 'when --at happens twice (clocks go back), use the first occurrence' 'when --at happens twice, use the second occurrence' 'publish at the next tick (the same as --at now); confirms an --at in the past' 'text / caption' 'read the text from a file, or "-" for standard input (for long texts)' 'title (YouTube, TikTok)' 'privacy (YouTube public|unlisted|private, TikTok PUBLIC_TO_EVERYONE|..., LinkedIn PUBLIC|CONNECTIONS)' 'image or video file, or public https URL (repeatable; replaces on edit)' 'MIME type of a --media URL whose extension does not tell (files are probed)' 'per-platform override, e.g. x.text="short" (repeatable)' 'platform option for every target (repeatable)' 'Pinterest: the board to pin to, by id or name (socialync api pinterest boards lists them)' 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--to=targets' '--at=none' '--tz=timezones' '--text=none' '--text-file=none' '--title=none' '--privacy=none' '--media=files' '--media-type=none' '--set=none' '--option=none' '--board=none' '--jq=none'
            set -g __socialync_args 
        case 'schedule list'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--status' '--platform' '--since' '--until' '-L' '--limit' '--all' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'only posts with this status, any time (scheduled|publishing|published|partial|failed|unconfirmed|cancelled)' 'only posts with a target on this platform (instagram|facebook|tiktok|youtube|x|linkedin|bluesky|threads|pinterest|mastodon)' 'only posts scheduled at or after this time ("YYYY-MM-DD HH:MM" in the system zone, ISO, or relative: -7d, -12h, +2d)' 'only posts scheduled at or before this time (same forms as --since)' 'show at most n posts (default 30)' 'show at most n posts (default 30)' 'every post, no limit (with the filters given)' 'print JSON (fields: docs/json.md), paged the same way' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--status=w:scheduled,publishing,published,partial,failed,unconfirmed,cancelled' '--platform=platforms' '--since=none' '--until=none' '-L=none' '--limit=none' '--jq=none'
            set -g __socialync_args 
        case 'schedule show'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 'posts'
        case 'schedule edit'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--at' '--tz' '--earlier' '--later' '--now' '--text' '--text-file' '--title' '--privacy' '--media' '--media-type' '--set' '--option' '--board' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs '"YYYY-MM-DD HH:MM" in --tz, an ISO instant, "now" or "+30m"' 'IANA time zone of --at (default: the system zone)' 'when --at happens twice (clocks go back), use the first occurrence' 'when --at happens twice, use the second occurrence' 'publish at the next tick (the same as --at now); confirms an --at in the past' 'text / caption' 'read the text from a file, or "-" for standard input (for long texts)' 'title (YouTube, TikTok)' 'privacy (YouTube public|unlisted|private, TikTok PUBLIC_TO_EVERYONE|..., LinkedIn PUBLIC|CONNECTIONS)' 'image or video file, or public https URL (repeatable; replaces on edit)' 'MIME type of a --media URL whose extension does not tell (files are probed)' 'per-platform override, e.g. x.text="short" (repeatable)' 'platform option for every target (repeatable)' 'Pinterest: the board to pin to, by id or name (socialync api pinterest boards lists them)' 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--at=none' '--tz=timezones' '--text=none' '--text-file=none' '--title=none' '--privacy=none' '--media=files' '--media-type=none' '--set=none' '--option=none' '--board=none' '--jq=none'
            set -g __socialync_args 'posts'
        case 'schedule cancel'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-y' '--yes' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'do not ask for confirmation' 'do not ask for confirmation' 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 'posts'
        case 'schedule calendar'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--week' '--month' '--tz' '--date' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'this week, Monday to Sunday (the default)' 'the whole month, one row per week' 'the time zone of the grid (default: the system zone)' 'show the week or month holding this day (default: today)' 'print JSON with the same buckets (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--tz=timezones' '--date=none' '--jq=none'
            set -g __socialync_args 
        case 'publish'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--limit' '--concurrency' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'at most this many targets in this run' 'targets published at once (default: config publish.concurrency, 64); one per account at a time' 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--limit=none' '--concurrency=none' '--jq=none'
            set -g __socialync_args 
        case 'daemon'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--no-refresh' '--concurrency' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'do not run the hourly token refresh' 'targets published at once (default: config publish.concurrency, 64)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--concurrency=none'
            set -g __socialync_args 
        case 'retry'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--platform' '--all-failed' '--dry-run' '-y' '--yes' '--assume-not-posted' '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'only these platforms (comma-separated or repeated)' 'every failed target of every post' 'show what would be retried and change nothing' 'do not ask for confirmation (required without a terminal)' 'do not ask for confirmation (required without a terminal)' 'send unconfirmed targets again when the platform cannot tell whether they were posted (check the account first)' 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--platform=platforms' '--jq=none'
            set -g __socialync_args 'posts'
        case 'db'
            set -g __socialync_subs 'status' 'migrate' 'copy' 'help'
            set -g __socialync_descs 'the store in use (URL without password), schema version, pending migrations, round-trip latency' 'apply pending schema migrations (PostgreSQL: under an advisory lock, safe from several machines at once)' 'copy this profile\'s SQLite state (connections, posts, history) into PostgreSQL; secrets are not copied' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'db status'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 
        case 'db migrate'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'db copy'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--to' '--force' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'the PostgreSQL database (default: SOCIALYNC_DATABASE_URL or config database.url)' 'replace the socialync state the target already holds' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--to=none'
            set -g __socialync_args 
        case 'team'
            set -g __socialync_subs 'init' 'join' 'approve' 'remove' 'leave' 'status' 'help'
            set -g __socialync_descs 'create the team on the first machine and move this profile\'s secrets into the database, encrypted' 'ask to join the team: registers this machine\'s public key, a member approves it' 'let a machine that ran `team join` read the team secrets (wraps the data key for its public key)' 'remove a machine: a new data key, every secret re-encrypted, the machine can no longer unwrap it' 'remove this machine from the team (as `team remove <this machine>`)' 'the machines of the team, which one this is, and whether its key opens the team secrets' 'display help for command'
            set -g __socialync_opts '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'team init'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--name' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'this machine\'s name in the team (default: the host name)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--name=none'
            set -g __socialync_args 
        case 'team join'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--name' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'this machine\'s name in the team (default: the host name)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--name=none'
            set -g __socialync_args 
        case 'team approve'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--fingerprint' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'the fingerprint `team join` printed on that machine (asked for on a terminal)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--fingerprint=none'
            set -g __socialync_args 'none'
        case 'team remove'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-y' '--yes' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'do not ask for confirmation' 'do not ask for confirmation' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'none'
        case 'team leave'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-y' '--yes' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'do not ask for confirmation' 'do not ask for confirmation' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 
        case 'team status'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '--json' '--jq' '-h' '--help' '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print JSON (fields: docs/json.md)' 'filter the JSON output with a jq expression (implies --json)' 'display help for command' 'display help for command' 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals '--jq=none'
            set -g __socialync_args 
        case 'help'
            set -g __socialync_subs 
            set -g __socialync_descs 
            set -g __socialync_opts '-q' '--quiet' '-v' '--verbose' '--debug'
            set -g __socialync_optdescs 'print only results and errors' 'print only results and errors' 'print more detail on stderr' 'print more detail on stderr' 'log HTTP requests on stderr (tokens and secrets redacted)'
            set -g __socialync_vals 
            set -g __socialync_args 'commands'
    end
end

# __socialync_values KIND CUR PLATFORM CMD
function __socialync_values
    set -l kind $argv[1]
    set -l cur $argv[2]
    switch $kind
        case 'w:*'
            string split , -- (string sub -s 3 -- $kind)
        case platforms
            printf '%s\n' 'instagram' 'facebook' 'tiktok' 'youtube' 'x' 'linkedin' 'bluesky' 'threads' 'pinterest' 'mastodon'
        case commands
            printf '%s\n' 'app' 'connect' 'disconnect' 'status' 'sandbox' 'secrets' 'refresh' 'token' 'api' 'notify' 'cron' 'doctor' 'config' 'completion' 'schedule' 'publish' 'daemon' 'retry' 'db' 'team' 'help'
        case files
            __fish_complete_path $cur
        case dirs
            __fish_complete_directories $cur
        case connections posts targets timezones
            set -l prefix ''
            if test $kind = targets; and string match -q -- '*,*' $cur
                set prefix (string replace -r ',[^,]*$' ',' -- $cur)
            end
            for line in ($argv[4] __complete $kind $argv[3] 2>/dev/null)
                echo $prefix$line
            end
    end
end

function __socialync_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cpath ''
    set -l npos 0
    set -l skip 0
    set -l platform ''
    set -l prev ''
    for w in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            set prev $w
            continue
        end
        __socialync_spec "$cpath"
        if string match -q -- '-*' $w
            if not string match -q -- '*=*' $w; and contains -- $w (string replace -r '=.*' '' -- $__socialync_vals)
                set skip 1
            end
        else if contains -- $w $__socialync_subs
            set cpath (string trim -- "$cpath $w")
            set npos 0
        else
            set npos (math $npos + 1)
            if test -z "$platform"; and test $npos -le (count $__socialync_args); and test "$__socialync_args[$npos]" = platforms
                set platform $w
            end
        end
        set prev $w
    end
    __socialync_spec "$cpath"
    if test $skip = 1
        for e in $__socialync_vals
            if test (string replace -r '=.*' '' -- $e) = "$prev"
                __socialync_values (string replace -r '^[^=]*=' '' -- $e) "$cur" "$platform" $tokens[1]
            end
        end
        return
    end
    if string match -q -- '-*' $cur
        for i in (seq (count $__socialync_opts))
            printf '%s\t%s\n' $__socialync_opts[$i] $__socialync_optdescs[$i]
        end
        return
    end
    if set -q __socialync_subs[1]
        for i in (seq (count $__socialync_subs))
            printf '%s\t%s\n' $__socialync_subs[$i] $__socialync_descs[$i]
        end
        return
    end
    set -l n (math $npos + 1)
    if test $n -le (count $__socialync_args)
        __socialync_values $__socialync_args[$n] "$cur" "$platform" $tokens[1]
    end
end

complete -c socialync -f -a '(__socialync_complete)'
