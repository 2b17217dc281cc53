#!/usr/bin/env bash
# Where things are. Unset WITNESS skips the witness checks.
log=${LOG:-.safedb/audit.jsonl}
signers=${SIGNERS:-allowed_signers}
witness=${WITNESS:-}
export LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
problems=0
fail() {
  echo "FAIL: $*"
  problems=$((problems + 1))
}
[ -z "$(tail -c 1 "$log")" ] || fail "torn tail at line $(($(wc -l <"$log") + 1))"
bad=$(grep -an '[[:cntrl:]]' "$log" | cut -d: -f1 | tr '\n' ' ')
[ -z "$bad" ] || fail "control characters (a CR: CRLF rewriting?) on lines: $bad"
bad=$(LC_ALL=C.UTF-8 grep -naxv '.*' "$log" | cut -d: -f1 | tr '\n' ' ')
[ -z "$bad" ] || fail "invalid UTF-8 on lines: $bad"
check_record() {
  n=$1
  line=$(sed -n "${n}p" "$log")
  # The signed bytes: the line without its last member, "sig".
  printf '%s' "$line" | sed -E 's/,"sig":"[^"]*"}$/}/' >"$work/body"
  printf '%s' "$line" | jq -r '.actor, .key, (.time | gsub("[-:T]"; "")), .seq, .prev, .sig' >"$work/fields"
  { read -r actor; read -r key; read -r when; read -r seq; read -r prev; read -r sig; } <"$work/fields"
  # The signature, armoured the way ssh-keygen reads it.
  {
    echo '-----BEGIN SSH SIGNATURE-----'
    printf '%s\n' "$sig" | fold -w 70
    echo '-----END SSH SIGNATURE-----'
  } >"$work/sig"
  if out=$(ssh-keygen -Y verify -f "$signers" -I "$actor" -n safedb-audit \
    -s "$work/sig" -Overify-time="$when" <"$work/body" 2>&1); then
    case "$out" in
      *" key $key") ;;
      *) fail "line $n: signed by another key than the record's $key: $out" ;;
    esac
  else
    fail "line $n: the signature by $actor does not verify: $out"
  fi
  [ "$seq" = "$((n - 1))" ] || fail "line $n: seq is not $((n - 1))"
  if [ "$n" -eq 1 ]; then
    expected=$(printf '%064d' 0)
  else
    expected=$(sed -n "$((n - 1))p" "$log" | tr -d '\n' | sha256sum | cut -d' ' -f1)
  fi
  [ "$prev" = "$expected" ] || fail "line $n: prev is not the SHA-256 of line $((n - 1))"
  twice=$(printf '%s' "$line" | jq -c --stream 'select((length == 2 and (.[0] | length) == 1)
    or (length == 1 and (.[0] | length) == 2)) | .[0][0]' | sort | uniq -d | tr '\n' ' ')
  [ -z "$twice" ] || fail "line $n: members appear twice: $twice"
}
records=$(wc -l <"$log")
for n in $(seq 1 "$records"); do check_record "$n"; done
jq -r .time "$log" | sort -c 2>/dev/null || fail "record times go backwards"
root_of() {
  head -n "$1" "$log" | while IFS= read -r l; do
    { printf '\0'; printf '%s' "$l"; } | sha256sum | cut -d' ' -f1
  done >"$work/level"
  while [ "$(wc -l <"$work/level")" -gt 1 ]; do
    paste -d' ' - - <"$work/level" | while read -r a b; do
      if [ -n "$b" ]; then printf '01%s%s' "$a" "$b" | xxd -r -p | sha256sum | cut -d' ' -f1; else echo "$a"; fi
    done >"$work/next"
    mv "$work/next" "$work/level"
  done
  xxd -r -p <"$work/level" | base64
}
verify_note() {
  printf '%s\n' "$1" | sed '/^$/,$d' >"$work/text"
  origin=$(head -n 1 "$work/text")
  # The Ed25519 key as DER: a fixed 12-byte prefix and the key's last 32 bytes.
  {
    printf '302a300506032b6570032100' | xxd -r -p
    printf '%s' "$2" | cut -d' ' -f2 | base64 -d | tail -c 32
  } >"$work/pub.der"
  openssl pkey -pubin -inform DER -in "$work/pub.der" -out "$work/pub.pem" 2>/dev/null || return
  keyhash=$({ printf '%s\n\1' "$origin"; tail -c 32 "$work/pub.der"; } | sha256sum | cut -c1-8)
  printf '%s\n' "$1" | grep "^— $origin " | cut -d' ' -f3 | while read -r s; do
    printf '%s' "$s" | base64 -d >"$work/notesig" 2>/dev/null
    [ "$(head -c 4 "$work/notesig" | xxd -p)" = "$keyhash" ] || continue
    tail -c 64 "$work/notesig" >"$work/sig64"
    if openssl pkeyutl -verify -pubin -inkey "$work/pub.pem" -rawin -in "$work/text" \
      -sigfile "$work/sig64" >/dev/null 2>&1; then
      cat "$work/text"
      break
    fi
  done
}
key_for() {
  grep -o 'ssh-ed25519 [A-Za-z0-9+/=]*' "$signers" | while read -r type blob; do
    if [ "$(printf '%s %s\n' "$type" "$blob" | ssh-keygen -lf - | cut -d' ' -f2)" = "$1" ]; then
      echo "$type $blob"
      break
    fi
  done
}
origin="safedb-audit/$(head -n 1 "$log" | jq -r .payload.log_id)"
for n in $(jq -r 'select(.type == "checkpoint") | .seq + 1' "$log"); do
  line=$(sed -n "${n}p" "$log")
  printf '%s' "$line" | jq -r '.payload.size, .payload.root, .payload.origin, .key' >"$work/fields"
  { read -r size; read -r root; read -r claimed; read -r key; } <"$work/fields"
  [ "$claimed" = "$origin" ] || fail "line $n: checkpoint of another log"
  [ "$size" = "$((n - 1))" ] || fail "line $n: checkpoint covers $size records, not the $((n - 1)) before it"
  [ "$(root_of "$size")" = "$root" ] || fail "line $n: checkpoint root is not the root of the records before it"
  if [ "$(printf '%s' "$line" | jq '.payload | has("note")')" = true ]; then
    text=$(verify_note "$(printf '%s' "$line" | jq -r .payload.note)" "$(key_for "$key")")
    [ "$text" = "$(printf '%s\n%s\n%s' "$origin" "$size" "$root")" ] || fail "line $n: the signed note does not match the checkpoint"
  fi
done
if [ -n "$witness" ]; then
  [ -z "$(tail -c 1 "$witness")" ] || fail "witness: torn tail"
  : >"$work/claims"
  w=0
  while IFS= read -r entry <&3; do
    w=$((w + 1))
    note=$(printf '%s' "$entry" | jq -r .note)
    text=""
    while IFS= read -r pub; do
      text=$(verify_note "$note" "$pub")
      [ -n "$text" ] && break
    done < <(grep -o 'ssh-ed25519 [A-Za-z0-9+/=]*' "$signers")
    if [ -z "$text" ]; then
      fail "witness line $w: no trusted key signed this checkpoint"
      continue
    fi
    size=$(printf '%s\n' "$text" | sed -n 2p)
    root=$(printf '%s\n' "$text" | sed -n 3p)
    echo "$size $root" >>"$work/claims"
    if [ "$(printf '%s\n' "$text" | sed -n 1p)" != "$origin" ]; then
      fail "witness line $w: a checkpoint of another log (the log was replaced?)"
    elif [ "$size" -gt "$records" ]; then
      fail "witness line $w: the log has $records records, the witness saw $size: truncated"
    elif [ "$(root_of "$size")" != "$root" ]; then
      fail "witness line $w: the log's first $size records are not those the witness saw"
    fi
  done 3<"$witness"
  forks=$(sort -u "$work/claims" | cut -d' ' -f1 | uniq -d | tr '\n' ' ')
  [ -z "$forks" ] || fail "fork: different roots signed for size $forks"
fi
jq -r 'select(.type == "intent" or .type == "outcome") | "\(.type)\t\(.payload.run_id)"' "$log" |
  awk -F'\t' '$1 == "intent" { open[$2] = 1 } $1 == "outcome" { delete open[$2] } END { for (r in open) print r }' >"$work/open"
while IFS= read -r run; do fail "run $run has an intent but no outcome"; done <"$work/open"
if [ "$problems" -eq 0 ]; then
  echo "OK: $records records verified"
else
  echo "$problems problem(s) found"
  exit 1
fi
