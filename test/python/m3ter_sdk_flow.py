"""Drives the service with m3ter's official Python SDK, pointed at our base URL.

Everything the SDK can do it does itself; the two things m3ter publishes no endpoint for (creating a
bill, saving a NetSuite credential) go through plain HTTP with the same bearer token. Prints one JSON
object with what the caller needs to check the result in NetSuite (the emulator).
"""
import json
import os
import sys

import httpx
import m3ter
from m3ter import M3ter

base_url = os.environ["M3TER_BASE_URL"]
org_id = os.environ["M3TER_ORG_ID"]
emulator = os.environ["EMULATOR_URL"]
netsuite_account = os.environ["NETSUITE_ACCOUNT"]
client = M3ter(api_key=os.environ["M3TER_API_KEY"], api_secret=os.environ["M3TER_API_SECRET"], org_id=org_id, base_url=base_url)
out = {}


def bearer():
    response = httpx.post(f"{base_url}/oauth/token", auth=(os.environ["M3TER_API_KEY"], os.environ["M3TER_API_SECRET"]), json={"grant_type": "client_credentials"})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# Accounts
account = client.accounts.create(code="SDK-CUSTOMER", name="SDK Customer Ltd", email_address="ap@sdk-customer.example", custom_fields={"country": "UK"})
assert client.accounts.retrieve(account.id).code == "SDK-CUSTOMER"
httpx.post(f"{emulator}/_admin/accounts/{netsuite_account}/customers", json={"externalId": account.id, "name": account.name}).raise_for_status()
out["accountId"] = account.id

# The NetSuite credential, as the guide shows it (base64 of the PEM file)
with open(os.environ["PRIVATE_KEY_FILE"], "rb") as f:
    private_key = __import__("base64").b64encode(f.read()).decode()
credential = httpx.post(
    f"{base_url}/organizations/{org_id}/integrationauth/Netsuite/netsuiteauth?verify=true",
    headers=bearer(),
    json={"type": "NETSUITE_AUTH", "accountId": netsuite_account, "certificateId": os.environ["CERTIFICATE_ID"], "clientId": os.environ["CLIENT_ID"], "privateKey": private_key},
)
assert credential.status_code in (200, 201), credential.text
assert "PRIVATE KEY" not in credential.text and private_key[:40] not in credential.text
credential_id = credential.json()["id"]

# Integration configs: create, update with version, a stale version refused, list page by page, enable
config = client.integration_configurations.create(
    destination="Netsuite", entity_type="Bill", name="SDK integration", config_data={"netsuiteDefaultItemId": "10", "accountFilter": "customFields.country = = UK"}, integration_credentials_id=credential_id
)
updated = client.integration_configurations.update(
    config.id, destination="Netsuite", entity_type="Bill", name="SDK integration (EU)", config_data={"netsuiteDefaultItemId": "10", "accountFilter": "customFields.country = = UK", "netsuiteSendDueDate": True}, integration_credentials_id=credential_id, version=config.version
)
assert updated.version == config.version + 1, (updated.version, config.version)
try:
    client.integration_configurations.update(config.id, destination="Netsuite", entity_type="Bill", name="stale", config_data={"netsuiteDefaultItemId": "10"}, version=config.version)
    raise AssertionError("a stale version was accepted")
except m3ter.ConflictError:
    out["staleVersionRefused"] = True
try:
    client.integration_configurations.create(destination="Netsuite", entity_type="Bill", name="bad", config_data={"accountFilter": "customFields.country ==="})
    raise AssertionError("an invalid config was accepted")
except m3ter.BadRequestError as error:
    out["invalidConfigMessage"] = str(error)
for i in range(3):
    client.integration_configurations.create(destination="Netsuite", entity_type="Bill", name=f"spare {i}", config_data={"netsuiteDefaultItemId": "10", "accountIds": ["NOBODY"]})
pages = 0
seen = []
page = client.integration_configurations.list(page_size=2)
while True:
    pages += 1
    seen += [c.id for c in page.data]
    if not page.has_next_page():
        break
    page = page.get_next_page()
out["configPages"] = pages
out["configsSeen"] = len(set(seen))
client.integration_configurations.enable(config.id)
out["configId"] = config.id

# External mappings: the product's NetSuite item, linked to this integration
mapping = client.external_mappings.create(external_system="Netsuite", external_table="Item", external_id="30", m3ter_entity="Product", m3ter_id="prod-api", integration_config_id=config.id)
found = [m.id for m in client.external_mappings.list_by_m3ter_entity("prod-api", entity="Product")]
assert mapping.id in found, found

# A bill from the billing engine (our documented extension), then listed and approved through the SDK
bill_id = os.environ["BILL_ID"]
bill = httpx.put(
    f"{base_url}/organizations/{org_id}/bills/{bill_id}",
    headers=bearer(),
    json={
        "accountId": account.id,
        "billDate": "2026-10-31",
        "dueDate": "2026-11-30",
        "currency": "USD",
        "lineItems": [
            {"lineItemType": "STANDING_CHARGE", "description": "Platform", "quantity": 1, "subtotal": 400},
            {"lineItemType": "USAGE", "description": "API calls", "quantity": 2000, "subtotal": 150.25, "productId": "prod-api"},
        ],
    },
)
assert bill.status_code in (200, 201), bill.text
listed = [b.id for b in client.bills.list(account_id=account.id)]
assert bill_id in listed, listed
client.bills.approve(bill_ids=[bill_id])
out["billId"] = bill_id

# Events: the types are m3ter's, and listing works through the SDK's cursor
out["events"] = [e.id for e in client.events.list(event_type="IntegrationEvent")]
print(json.dumps(out))
