"""Realistic single-transaction bodies (unique ids, a million accounts, like bench/lua/realistic.lua),
shared by the Python bench clients."""
import random
import time

COUNTRIES = ["BR", "BR", "BR", "AR", "US", "PT", "MX", "CL"]
CHANNELS = ["card_present", "card_not_present", "pix", "transfer"]
CATEGORIES = ["5411", "5812", "5999", "4111", "5541", "5732"]
RUN = f"{time.time_ns():x}"


def body(n):
    account = random.randint(1, 1_000_000)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return (f'{{"id":"{RUN}-{n}","account_id":"acc-{account}","amount":"{random.randint(5, 499)}.{random.randint(0, 99):02d}",'
            f'"currency":"BRL","merchant_id":"m-{random.randint(1, 5000)}","merchant_category":"{random.choice(CATEGORIES)}",'
            f'"country":"{COUNTRIES[account % 8]}","channel":"{random.choice(CHANNELS)}","timestamp":"{now}"}}')
