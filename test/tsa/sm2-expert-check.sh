#!/bin/sh
# Checks an SM2 time-stamp token with the openssl CLI alone (OpenSSL >= 3.0), as src/anchor/README.md describes.
# Usage: sm2-expert-check.sh token.der sm2-root.pem   (in an empty working folder; writes its files there)
set -eu
TOKEN=$1 ROOT=$2
P() { openssl asn1parse -inform DER -in "$TOKEN"; }
# 1. the TSA certificate (the first embedded) and its chain: SM2 with the standard identifier
openssl pkcs7 -inform DER -in "$TOKEN" -print_certs -out certs.pem
openssl x509 -in certs.pem -out tsa.pem
openssl verify -vfyopt distid:1234567812345678 -CAfile "$ROOT" tsa.pem
openssl x509 -in tsa.pem -pubkey -noout -out tsa-pub.pem
# 2. the TSTInfo (the first OCTET STRING at depth 5: imprint, genTime…) and its SM3, = the messageDigest attribute
T=$(P | grep 'd=5 .*prim: OCTET STRING' | head -1 | cut -d: -f1 | tr -d ' ')
openssl asn1parse -inform DER -in "$TOKEN" -strparse "$T" -noout -out tstinfo.der
openssl asn1parse -inform DER -in tstinfo.der
openssl dgst -sm3 -r tstinfo.der
# 3. the signed attributes: the SignerInfo's [0] at depth 5, re-tagged SET OF (0x31), as CMS signs them
L=$(P | grep 'd=5 .*cont \[ 0 \]' | tail -1)
OFF=$(echo "$L" | sed -E 's/^ *([0-9]+):.*/\1/')
HL=$(echo "$L" | sed -E 's/.*hl= *([0-9]+).*/\1/')
LEN=$(echo "$L" | sed -E 's/.* l= *([0-9]+).*/\1/')
{ printf '\061'; tail -c +$((OFF + 2)) "$TOKEN" | head -c $((HL + LEN - 1)); } > signed-attrs.der
openssl asn1parse -inform DER -in signed-attrs.der
# 4. the signature (the last OCTET STRING at depth 5, DER SEQUENCE { r, s }) over them, with the identifier
S=$(P | grep 'd=5 .*prim: OCTET STRING' | tail -1 | cut -d: -f1 | tr -d ' ')
openssl asn1parse -inform DER -in "$TOKEN" -strparse "$S" -noout -out signature.der
openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -pubin -inkey tsa-pub.pem -in signed-attrs.der -sigfile signature.der
