"""Home-page cards. Each app registers the cards for its pages in its AppConfig.ready()."""

from dataclasses import dataclass, field

from django.urls import reverse

from core.models import User
from core.selectors import user_role_tenant_ids


@dataclass(frozen=True)
class HomeCard:
    title: str
    description: str
    url_name: str
    # Shown to holders of any of these roles in the current tenant; empty means every signed-in employee.
    roles: frozenset[str] = field(default_factory=frozenset)
    staff_only: bool = False
    order: int = 100

    def __post_init__(self):
        # Registrants may pass a list or set; a frozenset keeps the card hashable and comparable.
        object.__setattr__(self, "roles", frozenset(self.roles))

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_registry: list[HomeCard] = []


def home_card_register(card: HomeCard) -> None:
    """Add a card once; registering the same page again (a second ready() call) changes nothing."""
    if all(existing.url_name != card.url_name for existing in _registry):
        _registry.append(card)


def home_cards_for(*, user: User, tenant_id: str | None) -> list[HomeCard]:
    """The cards this user may open in the tenant they are working in, in display order."""
    tenants_by_roles: dict[frozenset[str], set[str]] = {}
    cards = []
    for card in sorted(_registry, key=lambda c: (c.order, c.title)):
        if card.staff_only and not user.is_staff:
            continue
        if card.roles:
            # Cards needing the same roles share one lookup, so the page costs a query per role set, not per card.
            if card.roles not in tenants_by_roles:
                tenants_by_roles[card.roles] = user_role_tenant_ids(user=user, roles=card.roles)
            if tenant_id not in tenants_by_roles[card.roles]:
                continue
        cards.append(card)
    return cards
