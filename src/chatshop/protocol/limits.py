"""Documented limits of the wire protocol; the relay enforces them, clients may check early."""

from __future__ import annotations

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})

MAX_FRAME_BYTES = 2**16  # a larger frame closes the connection with 1009
MAX_NESTING = 32  # arrays and objects inside each other in one frame (bad_request beyond)
MAX_TEXT_CHARS = 4000  # message text, in code points
MAX_NAME_CHARS = 64  # display names and group names
MIN_HANDLE_CHARS = 2
MAX_HANDLE_CHARS = 32
MIN_PASSWORD_CHARS = 4
MAX_PASSWORD_CHARS = 256
MAX_KEY_CHARS = 64  # idempotency keys
MAX_GROUP_MEMBERS = 256
MAX_HISTORY_PAGE = 200  # also the bound of base.PageSize
DEFAULT_HISTORY_PAGE = 50
REPLAY_BATCH = 500  # events per frame while a resumed connection catches up
DEFAULT_RATE_PER_SECOND = 50.0  # sustained requests per connection
DEFAULT_RATE_BURST = 100  # requests a connection may send at once before throttling
HELLO_TIMEOUT = 10.0  # seconds to send hello (default; the hello result has the relay's)
AUTH_TIMEOUT = 60.0  # seconds from hello (or logout) to a session (default)
MAX_CONNECTIONS_PER_ADDRESS = 256  # open connections from one IP address (default)

HANDLE_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"

# Shopping: catalogue and card fields (the relay refuses more with too_large / invalid_amount)
MAX_SKU_CHARS = 40  # product and variant SKUs: letters, digits and . _ / -
MAX_TITLE_CHARS = 120  # product titles, variant labels are MAX_OPTION_CHARS
MAX_DESCRIPTION_CHARS = 2000  # product and brand descriptions
MAX_TAGS = 16  # tags per product
MAX_TAG_CHARS = 32  # one tag
MAX_VARIANTS = 64  # variants per product
MAX_OPTIONS = 4  # options per variant (size, colour ...)
MAX_OPTION_CHARS = 32  # an option's name or value, and a variant label
MAX_COMBINING_MARKS = 4  # combining marks on one character of catalogue text
MAX_IMAGES = 8  # images per product
MAX_PRICE_MAJOR = 100_000  # highest price of one item, in major units of its currency
MAX_STOCK = 1_000_000  # stock of one variant
MAX_CART_LINES = 50  # lines in one cart
MAX_LINE_QUANTITY = 99  # items of one variant in a cart line or an order line
MAX_SHIPPING_OPTIONS = 8  # shipping options of a brand
MAX_PROMO_CODE_CHARS = 32  # promo codes: letters and digits, compared without case
MAX_ADDRESS_FIELD_CHARS = 100  # one field of a shipping address
MAX_TRACKING_CHARS = 64  # carrier name and tracking number
MAX_MEDIA_BYTES = 2**20  # one uploaded image, sent in base64 chunks of a frame each
MAX_IMPORT_PRODUCTS = 5000  # products in one catalogue import
DEFAULT_CATALOG_PAGE = 50  # products per catalogue or search page by default
MAX_QUICK_REPLIES = 8  # quick replies one message offers (send with replies; pick picks one)
