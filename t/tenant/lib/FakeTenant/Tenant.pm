package FakeTenant::Tenant;

# Everything a reset brings back to the seed: the directory (users, clients,
# roles, organizations...), the short-lived artifacts, the settings and the
# test switches (token tweaks, autologin, outbox).

use Mojo::Base -base, -signatures;

use FakeTenant::Directory;
use FakeTenant::Store;
use Mojo::File qw(path);
use JSON::PP ();
use Mojo::JSON qw(decode_json);

has 'seed_file';
has 'state_dir';
has 'base_url';    # https://127.0.0.1:PORT, no trailing slash

has dir   => sub ($self) { FakeTenant::Directory->new(clock => $self->clock, state_dir => $self->state_dir) };
has store => sub ($self) { FakeTenant::Store->new(clock => $self->clock) };

# Defaults of POST /__control/settings; undef means "use the per-API/per-client value".
my %DEFAULT_SETTINGS = (
  access_token_lifetime    => undef,      # else each API's token_lifetime (86400)
  id_token_lifetime        => undef,      # else the client's jwt_configuration (36000)
  refresh_token_rotation   => undef,      # else the client's refresh_token.rotation_type
  refresh_token_lifetime   => 2592000,
  code_lifetime            => 60,
  clock_offset             => 0,
  device_interval          => 5,
  device_code_lifetime     => 900,
  ciba_interval            => 5,
  mfa_token_lifetime       => 600,
  otp_lifetime             => 300,
  otp_max_attempts         => 3,
  par_lifetime             => 30,
  session_lifetime         => 259200,
  max_users_search_results => 1000,       # Auth0 returns at most 1000 users per search; 0 = no limit
  honor_acr_values         => 1,          # 0: logins asked for multi-factor (acr_values) are made without
  remove_alg_from_jwks     => 0,          # 1: JWKS keys without "alg" (Auth0's tenant flag of that name)
);

sub settings ($self) { $self->{settings} //= {%DEFAULT_SETTINGS} }

sub setting ($self, $name) { $self->settings->{$name} }

# Applies settings, all or none.  Returns undef, or what is wrong.
sub update_settings ($self, $changes) {
  my @unknown = grep { !exists $DEFAULT_SETTINGS{$_} } sort keys %$changes;
  return "unknown settings: @unknown" if @unknown;
  for my $name (sort keys %$changes) {
    my $value = $changes->{$name};
    next if !defined $value && !defined $DEFAULT_SETTINGS{$name};    # back to the per-API/per-client value
    next if $name eq 'refresh_token_rotation' && JSON::PP::is_bool($value);
    return "$name must be an integer" . ($name eq 'clock_offset' ? '' : ' >= 0')
      unless defined $value && !ref $value && $value =~ ($name eq 'clock_offset' ? qr/^-?\d+$/ : qr/^\d+$/);
  }
  $self->settings->{$_} = $changes->{$_} for keys %$changes;
  return undef;
}

# The tenant's clock: real time shifted by the clock_offset setting, so tests
# can expire codes, tokens and polls without waiting.
sub now ($self) { time + ($self->settings->{clock_offset} // 0) }

sub clock ($self) {
  return sub { $self->now };
}

sub issuer ($self) { $self->base_url . '/' }

sub management_audience ($self) { $self->base_url . '/api/v2/' }

sub mfa_audience ($self) { $self->base_url . '/mfa/' }

sub reset ($self) {
  die "base_url must be set before reset\n" unless $self->base_url;
  my $seed = _substitute(decode_json(path($self->seed_file)->slurp), $self->base_url);
  delete $self->{settings};
  $self->dir->load($seed);
  $self->store->clear;
  $self->{tweaks}    = [];
  $self->{autologin} = undef;
  $self->{outbox}    = [];
  return $self;
}

# Replaces ${BASE_URL} in every string of the seed.
sub _substitute ($data, $base) {
  return [map { _substitute($_, $base) } @$data] if ref $data eq 'ARRAY';
  return {map { $_ => _substitute($data->{$_}, $base) } keys %$data} if ref $data eq 'HASH';
  return $data =~ s/\$\{BASE_URL\}/$base/gr if defined $data && !ref $data;
  return $data;
}

# ---- test switches ---------------------------------------------------------

sub autologin ($self, @email) {
  $self->{autologin} = $email[0] if @email;
  return $self->{autologin};
}

sub tweaks ($self) { $self->{tweaks} }

sub add_tweak ($self, $tweak) { push @{$self->{tweaks}}, $tweak }

# The tweak to apply to the token of this kind ("id" or "access") being
# issued now, if any; each tweak counts its uses per kind.
sub take_tweak ($self, $kind) {
  for my $tweak (@{$self->{tweaks}}) {
    my $left = $tweak->{remaining}{$kind} // next;
    next if $left == 0;
    $tweak->{remaining}{$kind}-- if $left > 0;    # -1 means "until cleared"
    $self->{tweaks} = [grep { grep { $_ != 0 } values %{$_->{remaining}} } @{$self->{tweaks}}];
    return $tweak;
  }
  return undef;
}

# Messages the tenant would have sent (password reset e-mails, passwordless
# codes and links, SMS binding codes), newest last, bounded.
sub send_message ($self, %message) {
  push @{$self->{outbox}}, {%message, sent_at => $self->now};
  shift @{$self->{outbox}} while @{$self->{outbox}} > 200;
}

sub outbox ($self) { $self->{outbox} }

1;
