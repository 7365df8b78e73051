from .customers import Contact, Customer, CustomerEvent, DeliveryAddress
from .pipeline import ContactRecord, FollowUpTask, Opportunity

__all__ = ["Contact", "ContactRecord", "Customer", "CustomerEvent", "DeliveryAddress", "FollowUpTask", "Opportunity"]
