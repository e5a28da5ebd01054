"""The members' catalogue of technologies, products and services (技術・製品・サービス一覧).

An organisation's people write entries; staff publish them (or send them back with a reason);
the public catalogue lists what is published, searchable however a word was typed
(``consortium.text.search_key``).
"""
