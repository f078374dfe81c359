#!/usr/bin/perl
# LDIF (ldapsearch -LLL -o ldif-wrap=no) on stdin -> PostgreSQL COPY text rows on stdout, one row
# per entry, columns in the order given as arguments (attribute names, case-insensitive; `dn` is
# the entry's DN). Base64 values (`attr:: ...`) are decoded; the first value of an attribute wins;
# a missing attribute is \N. Part of the sync benchmark's baseline (bench/ldap-sync/baseline.ts).
use strict;
use warnings;
use MIME::Base64 qw(decode_base64);

my @columns = map { lc } @ARGV;
my %entry;

sub escape_copy {
  my ($value) = @_;
  $value =~ s/\\/\\\\/g;
  $value =~ s/\t/\\t/g;
  $value =~ s/\n/\\n/g;
  $value =~ s/\r/\\r/g;
  return $value;
}

sub flush_entry {
  return unless %entry;
  print join("\t", map { defined $entry{$_} ? escape_copy($entry{$_}) : '\N' } @columns), "\n";
  %entry = ();
}

while (my $line = <STDIN>) {
  chomp $line;
  if ($line eq '') {
    flush_entry();
    next;
  }
  next if $line =~ /^#/;
  my ($name, $colons, $value) = $line =~ /^([^:]+)(::?) ?(.*)$/ or next;
  $name = lc $name;
  $value = decode_base64($value) if $colons eq '::';
  $entry{$name} = $value unless exists $entry{$name};
}
flush_entry();
