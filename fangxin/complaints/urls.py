"""All complaint URLs: the public pages (consumers, no account), the staff workbench and the merchant pages."""

from .urls_import import urlpatterns as import_patterns
from .urls_merchant import urlpatterns as merchant_patterns
from .urls_public import urlpatterns as public_patterns
from .urls_staff import urlpatterns as staff_patterns

app_name = "complaints"
# import before staff: '/workbench/complaints/import/' must not be taken for a tracking number
urlpatterns = public_patterns + import_patterns + staff_patterns + merchant_patterns
