#!/bin/sh
# House rules for dissectors (STYLE.md section (b) 7): wire bytes are read only
# through the cursor.  Fails on pointer casts onto packet data, ntohs/ntohl,
# malloc, memcpy from packet data and stdio in dissectors/*.c.  TAP.
cd "$top_srcdir/dissectors" || exit 1
n=0
fail=0
check() { # description, pattern [file to leave out]
    n=$((n + 1))
    hits=$(grep -nE "$2" $(ls *.c | grep -v "^${3:-none}\$") |
        grep -v '^[a-z0-9_-]*\.c:[0-9]*: *\(/\*\|\*\)')
    if [ -n "$hits" ]; then
        fail=1
        echo "not ok $n - no $1 in dissectors"
        echo "$hits" | sed 's/^/#   /'
    else
        echo "ok $n - no $1 in dissectors"
    fi
}
echo "1..6"
check "ntohs/ntohl" '\bnto[hl][sl]\b'
check "malloc/calloc/realloc/free" '\b(malloc|calloc|realloc|free)[[:space:]]*\('
check "pointer casts onto packet bytes" '\((const )?(struct [a-z_0-9]+|uint(16|32|64)_t) \*\)[[:space:]]*(p|data|payload|buf)\b'
check "stdio" '\b(printf|fprintf|puts|fopen)[[:space:]]*\('
# otmsg.c's detail tape is the one bounded copy of wire bytes dissectors use
check "memcpy from packet data" 'memcpy\([^,]*,[[:space:]]*(p|data|payload)[[:space:]]*[,+]' otmsg.c
check "engine headers" '#include[[:space:]]+"(\.\./)*sensor/'
exit $fail
