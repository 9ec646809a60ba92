# Pinned versions of everything the setup builds or installs outside npm.
# livekit-sip v1.8.0 and livekit-server v1.13.5 were released a week apart and
# share protocol/psrpc/mediatransportutil; newer pairs change the transfer API.
NODE_VERSION=24.21.0
LIVEKIT_SERVER_VERSION=v1.13.5
LIVEKIT_SIP_VERSION=v1.8.0
DEBIAN_PACKAGES="redis-server sip-tester espeak-ng flite sox pocketsphinx pocketsphinx-en-us pocketsphinx-testdata \
  build-essential pkg-config libopus-dev libopusfile-dev libsoxr-dev libopus0 libopusfile0 libsoxr0"
# Used only when the machine's Go is older than the LiveKit modules need.
GO_TOOLCHAIN=go1.26.8
