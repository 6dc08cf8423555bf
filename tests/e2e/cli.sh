# The command-line surface: help, version, usage errors and exit codes.
ok "help" -- "$RASTRO" --help
has out.txt "usage: rastro COMMAND WORKSPACE"
has out.txt "Exit codes"
ok "version" -- "$RASTRO" --version
has out.txt "rastro "
for c in init ingest status quarantine formats index log config resolve why encode link-encoded victims refer gen ads network path timeline export run report detect alerts sar eval; do
  ok "help of $c" -- "$RASTRO" $c --help
  has out.txt "usage: rastro $c"
done
fails 2 "no command" -- "$RASTRO"
fails 2 "unknown command" -- "$RASTRO" frobnicate
has err.txt "unknown command 'frobnicate'"
fails 2 "missing file argument" -- "$RASTRO" ingest ws.rastro
fails 2 "unknown option" -- "$RASTRO" status ws.rastro --bogus
fails 2 "bad output format" -- "$RASTRO" formats --format xml
"$RASTRO" init ws.rastro >/dev/null
# -q is accepted by init as by every command; an unknown option is named
ok "init -q on an existing workspace" -- "$RASTRO" init ws.rastro -q
same "$(cat out.txt)" "" "init -q prints nothing"
fails 2 "init unknown option" -- "$RASTRO" init ws.rastro --bogus
has err.txt "unknown option '--bogus'"
ok "config shows defaults" -- "$RASTRO" config ws.rastro --set ingest.default_currency=MXN
has out.txt 'ingest.default_currency'
has out.txt '"MXN"'
# a misspelt override is refused, not ignored; per-detector keys pass
fails 2 "misspelt --set key" -- "$RASTRO" detect ws.rastro --set finance.funel.min_deposit_places=4
has err.txt "unknown setting 'finance.funel.min_deposit_places' (did you mean 'finance.funnel.min_deposit_places'?)"
ok "per-detector --set key" -- "$RASTRO" config ws.rastro --set finance.cycle.enabled=false
has out.txt 'finance.cycle.enabled'
fails 3 "bad settings file" -- "$RASTRO" config ws.rastro --config "$DATA/bad_settings.toml"
has err.txt "bad_settings.toml:2:"
printf 'not a database at all, just text that is long enough to fill a header page\n' > junk.rastro
fails 8 "not a workspace" -- "$RASTRO" status junk.rastro
has err.txt "not a valid rastro workspace"
