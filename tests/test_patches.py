"""labs.runtime.patches: the one way the runtime replaces moto's methods and restores them."""

from labs.runtime.patches import Patches


class Base:
    inherited = "base"


class Target(Base):
    def own(self) -> str:
        return "own"


def test_install_replaces_and_uninstall_restores_own_inherited_and_missing():
    original_own = Target.own
    patches = Patches(
        Target,
        {"own": lambda self: "hooked", "inherited": "patched", "missing": lambda self: "new"},
    )
    patches.install()
    patches.install()  # idempotent: the originals are not overwritten by the hooks
    assert Target().own() == "hooked" and Target.inherited == "patched"
    assert Target().missing() == "new"
    assert patches.original("own") is original_own
    assert patches.original("missing") is None
    patches.uninstall()
    assert Target.own is original_own
    assert "inherited" not in Target.__dict__ and Target.inherited == "base"
    assert not hasattr(Target, "missing")
