from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "orders" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "order_no" VARCHAR(32) NOT NULL UNIQUE,
    "kind" VARCHAR(16) NOT NULL,
    "project" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL /* DRAFT: draft\nSUBMITTED: submitted\nPAID: paid\nREJECTED: rejected\nAPPROVED: approved\nSHIPPED: shipped\nCOMPLETED: completed\nCANCELLED: cancelled\nCLOSED: closed */,
    "owner_openid" VARCHAR(64) NOT NULL,
    "owner_unionid" VARCHAR(64),
    "answers" JSON NOT NULL,
    "subject_hash" VARCHAR(64),
    "amount_fen" INT,
    "consent_version" VARCHAR(32),
    "consent_at" TIMESTAMP,
    "submitted_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
) /* One application (organisation or personal certificate, renewal, unlock). */;
CREATE INDEX IF NOT EXISTS "idx_orders_owner_o_5e0c61" ON "orders" ("owner_openid");
CREATE INDEX IF NOT EXISTS "idx_orders_owner_u_d721f6" ON "orders" ("owner_unionid");
CREATE INDEX IF NOT EXISTS "idx_orders_subject_b4d634" ON "orders" ("subject_hash");
        CREATE TABLE IF NOT EXISTS "conversation" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "channel" VARCHAR(8) NOT NULL,
    "openid" VARCHAR(64) NOT NULL,
    "step" VARCHAR(64),
    "awaiting" VARCHAR(32),
    "editing" INT NOT NULL,
    "history" JSON NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "order_id" BIGINT REFERENCES "orders" ("id") ON DELETE SET NULL,
    CONSTRAINT "uid_conversatio_channel_167811" UNIQUE ("channel", "openid")
) /* Where one user (per channel) is: the active draft, the step, what the bot awaits. */;
        CREATE TABLE IF NOT EXISTS "material" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "slot" VARCHAR(64) NOT NULL,
    "path" VARCHAR(255) NOT NULL,
    "content_type" VARCHAR(64) NOT NULL,
    "size" INT NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "width" INT,
    "height" INT,
    "source" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "order_id" BIGINT NOT NULL REFERENCES "orders" ("id") ON DELETE CASCADE
) /* One uploaded file for one material slot (step) of an order; the newest one counts. */;
CREATE INDEX IF NOT EXISTS "idx_material_order_i_82a8f9" ON "material" ("order_id", "slot");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "conversation";
        DROP TABLE IF EXISTS "material";
        DROP TABLE IF EXISTS "orders";"""


MODELS_STATE = (
    "eJztXW1z2rgW/isaf0pn2E5KXm/uzp0hCW3pEsgkZLt32x1X2AK8MZJXlktz9+a/ryTb+J"
    "3YBBPj+EsCRzqy/Ry9nPPoWPytzImOTPvtJzJWzsDfCoZzxD+ExS2gQMsKhELA4NiU9f70"
    "KoxtRqHGuGgCTRtxkY5sjRoWMwgWFYcYAQcbDJAJ0NEEUYp0sCD0/q3Q14nGGzDw9OmqvO"
    "QvB6mMTBGbIcoVvvzBxQbW0Q9ki69fFJtB5sgbpQ5WIVP+EFWse3ViIFOPPKihi2pSrrIH"
    "S8rOjWkPs/eyrri5saoR05njoL71wGYELxUMzIR0ijCikCFxBUYdgQJ2TNPDygfGfYCgin"
    "vnIR3+zNAxBZZC272BQKao6mA4Um+7I1VVEjj7GiE8PZFGsLARv1VbAjAVt/DTv9rtg4OT"
    "9v7B8enR4cnJ0en+Ka8r7zdZdPLo3kyAltuUxKz3oTcYiRsivCO4nUMIHqUOZNDVkgYK0L"
    "/nD5/E/2IGaTr6fv0Y/vzB4vj7aK8ygC8ILBB03m2YYA5/qCbCUzbjX48PV6D7a+fm4mPn"
    "Zu/48E0U4oFX0pZFAuwAXAs+mASm4PvpdjhIxzekEoNYNzQG/g9Mw0509U1Brfw8cbAmUA"
    "RjxzCZge234rL/UUoywArABUSi5blt/2WGgd676vwWt8FFf3guISM2m1LZimzgPGaQYFpK"
    "9vcudubSJj1+ixBrKGGbQHt7vV+xENYFhMUsoFx3B5e9wYcz4Ol/xTd3g4GU8BkZS8nlcN"
    "A9AzrBiH/udi75Z+R2vaJD591xjqHz7jhz6IiiqKUgY2husRRbZS4MYZWnl4dNGWi/3OWh"
    "/e7w5PD04PhwuSosJasWA3/iD/kT3F5rgBpX2x6wpzsCrOfgJCC95HgwY47ScQ204tO8p/"
    "bW/7CD6+oK/Ea9q+7tqHN1HZnbLzujrihpS+lDTLoXnziWjYDPvdFHIL6C3/lkFl8ClvVG"
    "vyvinqDDiIrJQoV6GBNf7Isi5tWR7lhIvUcPRdykqNZay4Xni1bEWY1O9+3TPPN9+zR7wh"
    "dl0XFkEu0e6eq4EM4RpY3AXHOX1APMwcwwi85Zcd0NzFwVQ79OE5cJbaby0J3QpJ1H6EfG"
    "eh/VqsOIWmXT7m+j1THG0qT94eCDXz0eeERHmEaRwGYNnyCqWUO/QOEPqA+x+eD1kh0Zbl"
    "6HXjnaHEtf0+pRzcbqVbF6yiTr3X1g9YmBDXu2ltljqs1aWh0zu6NbENaT+xBpKgRjqN0v"
    "INXVSEkkGEyJrs89rfe/3CATSiCTJg8I/xsH7+Awf/R7uC/1B4zAjbRJFpLJonl7HpdADK"
    "fykcS1xZWiaKVvnHg4rtw7UalXKdf+iceE8P8AAq7dAhNCAbGEnQi1AcS6lFiUfOdYuZUA"
    "hRgQrKH0jZYNtPn0jkyz+1LJ3RfP9sVJzu1SceXbYWNsnNilRCkRTzaFEGg0e1o5CASbQb"
    "qeoxvVrKGju+seT+PZvj47E4dpxDXCOluiIfUKc0VKeKfzpju6+e8ZoIjRh/C+51fcH96O"
    "zoBJ3A32l98DLUzeNbzdM3g7EQwU9YYDnTo5Y1twihPBdcQOSSO8JxQZU/wLekjMR5lh9A"
    "4aICuG5mIKF8vwLdTv+JPz50XMnbM7txedy67ymE1VlBmMf0Z80WB3toxAEwF5qLS1Kihf"
    "II3XUx2/Yq7AnIfL2NBFviIPgPm/iaEZ0ARQ04iDGdgTEbVbNufeyU88lp5SOG8BfimMkQ"
    "m+fZtb3769SY/QN9l4Sqj+RfEqSnvKa7npkk38XoWpqrUifvesleo8peMfaDTRZo5oMzQy"
    "8iIcUtlimh6BylYgzpN4kZ12kUi64A9JCvbgkEpJbubLJbaUQJc4Y3FfY5Q2TxNiIogz2J"
    "KIYgzpMdcsqysvJdv16c+Hw37Epz/vxZ32u6vzLg+hJPq8ksEis3Qa5uuwVHHlhr+oMn/h"
    "4GdZO0W9sXeV7S3zk2yN419kzYpq1YEdKd3xarKYapbP0mQxvUarZ2UxFchuKZMyuiD4O6"
    "I29KyRII0i5a1VtJEWr/kkb/R5higCRLzraiMK9iz+xwse3wDDPpOMDm/B+I6ATuGEtaTE"
    "ZshqgcUMMvl1TBiAC2gwO0kelXKFhkGqE4PUEBzlEhwNQ1d6PgiyisDr12+c8KexlbO+9/"
    "JvXnzDOvXD+KCdA+ODdibGoii2ya5nQLySnQtpNdRcAWpuZtiM0JRX/LJPRAipVONEBHG9"
    "2pyI0ER82TNPvSK+iFdEdUQLZ7uEtdbKd6na0lKFdBcJatIOhRNehn47u2WDvBkv4b4XyX"
    "nhNwAGd/3+SyW9uLinUBdLg2RzFvKh7HxshXxVxLJMQ5MUh8g6mUJsuIQHEO+H8KYIhibQ"
    "EGXGRNTjzVDeGxaQA+9g8fp2RobLphpuXkSp8CTUWkFDuMMLk0KBckhnM6FyhY642Hyg0Z"
    "y0VmKqtEXJn0hL8WGz8Q2pbJFG2w6Jtvneu4Mnp0lGvSDeyuVN5/3ozGXjv+Lbu/Or3mjU"
    "vTwDtjOeG4zf4ld83elxgQUNXbxN8Kl7IStQJLqTKO9cX98MfxUyvq5S8l3Ibj/2rq9lOz"
    "PDsoTkYnh13e9KVY3MLeHPCGlncNHt96VUQGmaUtof3kqRSWxUkRPayILbTF2DX43pldUj"
    "6pRF5mK2RrJeQrFJ2XuadcX2wnPL83JUIZVqcFT1OrXTGYupVZ1Be1ZoqyGm1/T9p/v+XL"
    "zSoE4QTgKd/U56RKlGzNDG3koXzSMOkchQ8PITcu/2JlWbbZ2n/VUftjXy1yKaTTZodWjs"
    "ZL7a0ilfL9E7ottYusqWbvJRs6fS3dynavJRX6PVN5CPGlnklzmfzzx2LZ5oupMzffLste"
    "gJ8AxRA5rPROrKa2YHx0wmTGVuEC7xStkjDGOZvU04D9fK9zs/lvgREaSDiWEi9zw5LvXb"
    "AbZJGNgTmXhvxJvr4ig5sZfzb5lujNEC2UwqyPfbU/Kay7lEnt8VCm8Di0s0vytU0Q1FaZ"
    "wE/iu4Gq9+DXe7yvhdIVaICPPr1xDc9tFRDnR5rUx4ZVmCPGCCApBAFcA5rldDvEtIIDf+"
    "lwJy5jTtV6/TgUsb4xntGWwfHRead5caTWfN0VkXhp429Wb21mX9hhVPSQZHxnRW5PDbQK"
    "GBM2XwE4dqhdarQGOLaRnu+V5l7U2WnfXQ8JDZ0O8mI5WHh3yhfPnKWfg1JsxXzQjPzph/"
    "4VMiO4ga2kxJYcO8ktYqLgwGdZ5iwrIR3XCa+muhlJ7pqWSTRWukRTw3HaJqo3oLrIYYVA"
    "UQ9qrXEN13+/t53ML9/Wy/UJSlckZJhLOzBkMq288afJm8g43lB77o+TWP/wCuNmDo"
)
