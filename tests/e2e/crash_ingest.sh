# Crash safety of ingest: kill -9 at random moments, several times, then
# check that the workspace opens, passes SQLite's integrity check, still
# holds exactly what it held before, and that a new run loads exactly the
# rows of an uninterrupted run — nothing lost, nothing doubled.
mkibm=$(dirname "$RASTRO")/bench/mkibm
rows=300000
"$mkibm" $rows 7 > big.csv
"$RASTRO" init ws.rastro >/dev/null
"$RASTRO" ingest ws.rastro -q "$DATA/generic_small.csv"
before=$(sql ws.rastro "select count(*) from txn")

RANDOM=${CRASH_SEED:-2026}
for run in 1 2 3 4 5 6; do
  "$RASTRO" ingest ws.rastro -q big.csv &
  pid=$!
  # Somewhere between just started and nearly done (about 1-3 s here).
  sleep "0.$(( (RANDOM % 9) + 1 ))$(( RANDOM % 10 ))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  same "$(sql ws.rastro 'pragma integrity_check')" ok "integrity after kill $run"
  ok "workspace opens after kill $run" -- "$RASTRO" status ws.rastro
  n=$(sql ws.rastro "select count(*) from txn")
  # Either the kill came after the commit (all rows) or before (none).
  if [ "$n" != "$before" ] && [ "$n" != "$((before + rows))" ]; then
    same "$n" "$before or $((before + rows))" "rows after kill $run"
  fi
  [ "$n" = "$((before + rows))" ] && break
done
ok "a run after the kills completes" -- "$RASTRO" ingest ws.rastro big.csv
same "$(sql ws.rastro "select count(*) from txn")" "$((before + rows))" "exactly the rows of one uninterrupted load"
same "$(sql ws.rastro "select count(*) from source where path like '%big.csv'")" 1 "one source for the file"
same "$(sql ws.rastro "select count(*) from (select src, dst, ts, amount from txn group by src, dst, ts, amount, line having count(*) > 1)")" 0 "no doubled row"
same "$(sql ws.rastro 'pragma integrity_check')" ok "integrity at the end"
same "$(sql ws.rastro 'pragma journal_mode')" wal "back in WAL mode"
