#!/usr/bin/perl
# SPDX-License-Identifier: BSD-3-Clause
# gen-mmdb.pl OUT.mmdb: a MaxMind DB for the GeoIP tests, written by the
# official writer (Debian libmaxmind-db-writer-perl), with the record layout
# of GeoLite2 Country and ASN: country.iso_code, registered_country.iso_code,
# autonomous_system_number, autonomous_system_organization.  The networks are
# the documentation and benchmarking ranges (RFC 5737, RFC 2544, RFC 3849),
# never real ones.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: gen-mmdb.pl OUT.mmdb\n";
my %types = (
    country                        => 'map',
    registered_country             => 'map',
    iso_code                       => 'utf8_string',
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 6,
    record_size           => 24,
    database_type         => 'otsensor-test-Country-ASN',
    languages             => ['en'],
    description           => { en => 'otsensor test database (documentation ranges)' },
    map_key_type_callback => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4    => 1,
    merge_strategy        => 'none',
    remove_reserved_networks => 0, # the test ranges are reserved ones
);
sub net {
    my ($cidr, $cc, $asn, $org) = @_;
    $tree->insert_network($cidr, {
        country                        => { iso_code => $cc },
        registered_country             => { iso_code => $cc },
        autonomous_system_number       => $asn,
        autonomous_system_organization => $org,
    });
}
net('192.0.2.0/24',    'DE', 64501, 'Test Carrier DE');
net('198.51.100.0/24', 'NL', 64503, 'Test Hosting NL');
net('203.0.113.0/24',  'KP', 64500, 'Test Forbidden KP');
net('198.18.0.0/15',   'US', 64502, 'Test Cloud US');
net('2001:db8::/32',   'FR', 64504, 'Test Carrier FR');
open(my $fh, '>:raw', "$out.tmp") or die "$out.tmp: $!\n";
$tree->write_tree($fh);
close($fh) or die "$out.tmp: $!\n";
rename("$out.tmp", $out) or die "$out: $!\n";
