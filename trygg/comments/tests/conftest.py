import uuid

import pytest

from trygg.comments.models import CommentSettings
from trygg.promises.models import Promise


@pytest.fixture
def promise(home_municipality) -> Promise:
    return Promise.objects.get(municipality=home_municipality, slug="2023")


@pytest.fixture
def post_moderation(home_municipality) -> CommentSettings:
    return CommentSettings.objects.create(
        municipality=home_municipality, moderation_mode=CommentSettings.Mode.POST
    )


@pytest.fixture
def comment_data():
    def data(text: str = "Mer belysning i parken vid stationen, tack.", **extra: str) -> dict[str, str]:
        return {
            "kommentar-author_name": "Eva",
            "kommentar-email": "eva@example.se",
            "kommentar-text": text,
            "kommentar-website": "",
            "kommentar-submission_id": str(uuid.uuid4()),
            **extra,
        }

    return data
