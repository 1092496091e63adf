# Packaging: a .deb for the host architecture from ONE release build, and shell completions.
#   make package        release build (static Swift stdlib) → .build-static/earshot_<ver>_<arch>.deb
#   make test-package   builds the package, then Deploy/package/test-install.sh: dpkg -x into a
#                       scratch root, runs the installed earshot --version, config check and the
#                       technician's first steps from / (devices … selftest), lintian if installed
#   make completions    bash/zsh/fish completion scripts under .build/completions (not committed)
PKG_SCRATCH ?= .build-static
PKG_OUT ?= $(PKG_SCRATCH)

.PHONY: package test-package completions

## package: .deb for the host architecture (release, --static-swift-stdlib, systemd unit, /etc/earshot config)
package: deps
	$(SWIFT) build -c release --scratch-path $(PKG_SCRATCH) --product earshot --static-swift-stdlib
	bash Deploy/package/build-deb.sh "$$($(SWIFT) build -c release --scratch-path $(PKG_SCRATCH) --show-bin-path)/earshot" "$(PKG_OUT)"

## test-package: make package, then install it into a scratch root and run the installed binary
test-package: package
	bash Deploy/package/test-install.sh "$$(ls -t $(PKG_OUT)/earshot_*.deb | head -1)"

## completions: shell completion scripts for bash, zsh and fish under .build/completions
completions: deps
	$(SWIFT) build --product earshot
	@mkdir -p .build/completions
	.build/debug/earshot completions --shell bash > .build/completions/earshot.bash
	.build/debug/earshot completions --shell zsh > .build/completions/_earshot
	.build/debug/earshot completions --shell fish > .build/completions/earshot.fish
	@ls -l .build/completions
