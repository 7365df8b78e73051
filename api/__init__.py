"""The open API (/api/v1/), its tokens, and outgoing webhooks and group robots (WeCom, DingTalk).

Every endpoint calls the apps' services and selectors, like the pages do; no app imports this one. Business
events reach it through the kernel's `business_event` signal, sent by the services.
"""
