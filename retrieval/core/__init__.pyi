from .json_errors import describe_json_error as describe_json_error
from .models import (
    Article as Article,
)
from .models import (
    Chunk as Chunk,
)
from .models import (
    LoadFailure as LoadFailure,
)
from .models import (
    RawArticle as RawArticle,
)
from .models import (
    Removal as Removal,
)
from .models import (
    article_id_for as article_id_for,
)
from .models import (
    content_id as content_id,
)
from .models import (
    former_ids as former_ids,
)
from .models import (
    identity_of as identity_of,
)
from .redaction import (
    REDACTED as REDACTED,
)
from .redaction import (
    RedactSecretsFilter as RedactSecretsFilter,
)
from .redaction import (
    SecretRedaction as SecretRedaction,
)
from .redaction import (
    redact as redact,
)
from .redaction import (
    redact_everywhere as redact_everywhere,
)
from .redaction import (
    redact_settings as redact_settings,
)
from .settings import Settings as Settings
from .settings import unknown_setting_warnings as unknown_setting_warnings
