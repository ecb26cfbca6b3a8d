from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "conversation" ADD "unionid" VARCHAR(64);
        CREATE INDEX IF NOT EXISTS "idx_conversatio_unionid_d06be1" ON "conversation" ("unionid");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "idx_conversatio_unionid_d06be1";
        ALTER TABLE "conversation" DROP COLUMN "unionid";"""


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
    "ZshqgcUMMvl1TBiAC2gwO0kelXKFhkGqE4PUEBzlEhwNQ1eyo9gwSKUn3CCrCLp+/SbKeR"
    "pbuax6b1fnxTesUz+MD9o5MD5oZ2IsimJZDHoGxCvpz5BWw30W4D5nhs0ITXmHMvvIiZBK"
    "NY6cENerzZETTUidPfPUK6SOuJ1UR7RwOlFYa62EoqotLVXIJ5KgJu1QOKNo6LezWzbIm1"
    "IU7nuRpCJ+A2Bw1++/VFaRi3sKN7Q0SDYpJB/KzkcHyXdxLMs0NMkhibSeKcSGyygB8QIO"
    "b4pgaAINUWZMRD3eDOW9YQE58A4W78dnpBBtquHmTZ8KT0KtFTyPO7wwKcREhHQ2w0VU6A"
    "yRzQcazVF2JeaiW5T8ibQUHzYb35DKFnnK7bCUm++9O3g0ndyyKIi3cnnTeT86c7c7vuLb"
    "u/Or3mjUvTwDtjOeG4zf4ld83elxgQUNXbyu8al7IStQJLqTKO9cX98MfxUyvq5S8l3Ibj"
    "/2rq9lOzPDsoTkYnh13e9KVY3MLeHPCGlncNHt96VUQGmaUtof3kqRSWxUkSPwyILbTF2D"
    "wI7pldUj6kSyupitwWUnFBtG+2nWFdsLzy3Py1GFVKrBUdXrWFRnLKZWdQbtWaGthphe0/"
    "ef7vtz8c6IOkE4CXT2S/8RpRoxQxt77V80jzhEIgXESwDJvZ2eVG22dZ72V33Y1kgQjGg2"
    "6bbVobGTCYFLp3y9TPqIbmPpKlu6SfjNnkp3c5+qSfh9jVbfQMJvZJFfJtU+81y7eCbvTs"
    "70ycPtokfsM0QNaD4TqSuvmR0cM5kwlblBuMQrZY8wjGX2NuE8XCvfDylZ4ldakA4mhonc"
    "A/u41G8H2CZhYE9k4r0RRwOIs/rEXs6/ZT43RgtkM6kgDxBISRwv5xJ5frgpvA0sLtH8cF"
    "NFNxSlcRL4r+BqvPo13O0q44ebWCEizK9fQ3DbR0c50OW1MuGVZQnygAkKQAJVAOe4Xg3x"
    "LiGB3PhfCsiZ07RfvU4nWm2MZ7RnsH10XGjeXWo0nTVHZ10YetrUm9lbl/UbVjwlGRwZ01"
    "mR04UDhQbOlMFPHKoVWq8CjS2mZbgHqJW1N1l21kPDQ2ZDv5uMVB4e8oXy5Stn4deYMF81"
    "Izw7Y/6Fj+HsIGpoMyWFDfNKWqu4MBjUeYoJy0Z0w2nqr4VSeqankk0WrZEW8dx0iKqN6i"
    "2wGmJQFUDYq15DdN/t7+dxC/f3s/1CUZbKGSURzs4aDKlsP2vwZfIONpYf+KIHBD3+AyHO"
    "0VY="
)
