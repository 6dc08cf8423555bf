# Resource faults: disk full, read-only workspace, unreadable input and
# allocation failure, each with a clear error and no damage.
[ "$(id -u)" = 0 ] || skip "needs root to mount a small file system and to drop privileges"
mnt=$PWD/mnt
mkdir -p "$mnt"
mount -t tmpfs -o size=6m tmpfs "$mnt" 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'umount "$mnt" 2>/dev/null; rm -rf "$work"' EXIT

# --- disk full: a load that does not fit is refused whole
mkibm=$(dirname "$RASTRO")/bench/mkibm
"$mkibm" 120000 3 > big.csv
ok "init on the small file system" -- "$RASTRO" init "$mnt/ws.rastro"
ok "a small load fits" -- "$RASTRO" ingest -q "$mnt/ws.rastro" "$DATA/generic_small.csv"
fails 10 "a load that does not fit" -- "$RASTRO" ingest "$mnt/ws.rastro" big.csv
has err.txt "disk full"
same "$(sql "$mnt/ws.rastro" 'pragma integrity_check')" ok "integrity after disk full"
same "$(sql "$mnt/ws.rastro" 'select count(*) from txn')" 12 "the earlier load is intact"
same "$(sql "$mnt/ws.rastro" "select count(*) from source where path like '%big.csv'")" 0 "nothing of the failed load"
ok "still usable after disk full" -- "$RASTRO" ingest -q "$mnt/ws.rastro" "$DATA/kyc_small.csv"

# --- read-only: writing is refused, reading works
mount -o remount,ro "$mnt"
fails 9 "writing a read-only workspace" -- "$RASTRO" ingest "$mnt/ws.rastro" "$DATA/amlsim_small.csv"
has err.txt "not writable"
ok "reading a read-only workspace" -- "$RASTRO" status "$mnt/ws.rastro"
has out.txt "kyc"
mount -o remount,rw "$mnt"

# --- unreadable input (as an unprivileged user, for whom permissions apply)
mkdir -p nob && cp "$DATA/generic_small.csv" nob/secret.csv && chmod 000 nob/secret.csv
chown -R 65534 nob
chmod 755 .   # let the unprivileged user reach nob/
if command -v setpriv >/dev/null; then
  fails 4 "unreadable input" -- setpriv --reuid=65534 --regid=65534 --clear-groups "$RASTRO" ingest nob/ws.rastro nob/secret.csv
  has err.txt "Permission denied"
  has err.txt "secret.csv"
fi
fails 4 "a directory as input" -- "$RASTRO" ingest ws2.rastro nob
has err.txt "is a directory"

# --- out of memory: the Nth allocation fails; clean error, all or nothing
for n in 0 5 40 120 300; do
  rm -f oom.rastro*
  "$RASTRO" init oom.rastro >/dev/null
  RASTRO_TEST_FAIL_ALLOC=$n "$RASTRO" ingest -q oom.rastro "$DATA/generic_small.csv" >out.txt 2>err.txt
  rc=$?
  if [ $rc -ne 0 ]; then
    same "$rc" 5 "allocation $n fails with the out-of-memory code"
    has err.txt "out of memory"
  fi
  same "$(sql oom.rastro 'pragma integrity_check')" ok "integrity after allocation failure $n"
  n_rows=$(sql oom.rastro 'select count(*) from txn')
  [ "$n_rows" = 0 ] || [ "$n_rows" = 12 ] || same "$n_rows" "0 or 12" "all or nothing at allocation $n"
done
