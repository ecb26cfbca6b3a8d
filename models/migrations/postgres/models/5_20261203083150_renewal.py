from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "renewal" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "owner_openid" VARCHAR(64) NOT NULL,
    "key_serial" VARCHAR(64) NOT NULL,
    "years" INT NOT NULL,
    "state" VARCHAR(16) NOT NULL,
    "public_key" TEXT NOT NULL,
    "new_serial" VARCHAR(64) NOT NULL,
    "certificate_pem" TEXT NOT NULL,
    "attempts" INT NOT NULL,
    "last_error" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "old_certificate_id" BIGINT NOT NULL REFERENCES "certificate" ("id") ON DELETE CASCADE,
    "order_id" BIGINT NOT NULL UNIQUE REFERENCES "orders" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_renewal_owner_o_22a130" ON "renewal" ("owner_openid");
CREATE INDEX IF NOT EXISTS "idx_renewal_key_ser_d22e61" ON "renewal" ("key_serial");
COMMENT ON COLUMN "renewal"."state" IS 'ORDERED: ordered\nPAID: paid\nKEYGEN: keygen\nISSUED: issued\nWRITTEN: written';
COMMENT ON TABLE "renewal" IS 'One renewal: the order that pays for it, the certificate it replaces, its progress.';
        ALTER TABLE "key_secret" ADD "management_key" TEXT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "key_secret" DROP COLUMN "management_key";
        DROP TABLE IF EXISTS "renewal";"""


MODELS_STATE = (
    "eJztXWtz2ziW/SsofVlnS0k5ynM9W1sl20paaVvyyErSM+0uGqIgi20KYJOgFe9M/vsA4E"
    "N8i5BEmaLxJZFBHD7Oxete3Hvxr9aCTJHpvPpCJq0T8K8WhgvEfkSL26AFLWtVyAsonJii"
    "3p9+hYlDbahTVjSDpoNY0RQ5um1Y1CCYVxxiBFxsUEBmYIpmyLbRFCyJff+K46dEZzcw8N"
    "36quzKXy7SKLlDdI5sBvj9D1Zs4Cn6gRz+5+8th0Lqihe1XaxB2vqDV7HutZmBzGnsQ40p"
    "rybKNfpoibJT466P6SdRl7/cRNOJ6S7wqr71SOcEhwADU156hzCyIUX8CdR2OQvYNU2fq4"
    "AY7wNWVbw3j2DYN0PX5FxytPcCq7KWpg2GY+26N9a0VornABHh0y/SCeYyYq/qCALu+Cu8"
    "/J9O582bD53jN+8/vnv74cO7j8cfWV3xvulLH356L7Niy7uV4Kz/uT8Y8xcirCF4jYMX/B"
    "QYSKGHEgJasX/PPj7N/9kc2tnsB/UT/LMPS/IfsF0kgKBgJYFV492HCBbwh2YifEfn7M/3"
    "bwvY/dYdnf3SHR29f/siTvHAv9IRlzjZK3It+GgSmMHvl+vhIJvfCCRB8dTQKfg3MA0n1d"
    "R3RXXrf2cu1jmLYOIaJjWw84o/9v9aFQmggHBOEb/zwnH+MqNEH112f0vK4OxieCooIw69"
    "s8VdxA1OEwJZDUvp9t7D7kLIpM9eEWIdpWSzQu+v9bcshKecQjkJtK56g/P+4PMJ8PE3eP"
    "R1MBAlbETGouR8OOidgCnBiP3udc/Zb+Q1Pdmu8/p9ia7z+n1u1+GX4pKClKKFRTNklTsx"
    "RCHrp4ddCei42umh8/rth7cf37x/G84KYUnRZBAM/JH1BJPXBqQmYfsj9uOBEOsvcFKUnj"
    "M+qLFA2byuUMlh3oe9Cn4c4LxawN+4f9m7Hncvr2Jj+3l33ONXOqL0MVF6lBw4wpuA7/3x"
    "L4D/Cf7JBrPkFBDWG/+zxd8JupRomCw1OI1yEhQHRTHxTtHUtZB2jx5llklx1EbThb8Wrc"
    "liNT7cdz6WGe87H/MHfH4t3o9Mot+jqTaR4jkG2gnNDV+S+oS5mBqm7JiVxO5g5KoZ+00a"
    "uEzoUI2p7sROy3mMfuTM93FUE3pUkUx7v42LdYxQpBfDweegelLxiPcw3Uacmw3WBHFkA9"
    "cFLfaB0yE2H/1WciDdzW/Qhb3NtaYbSj2OVFKvi9QzBln/7VdSnxnYcOYbiT0BVXNpfcTs"
    "9W5usJ7dR4ymvGAC9fsltKda7EpMGczQrk991KdfR8iEgsi0yFcG/5GLD7Cb/wxaeFAadB"
    "jOG+mQPCbTlxadRbIEYngnPok/mz8pzlb2xonPY+HeiWb7lUrtn/iWEPY/gICh22BGbEAs"
    "LidiOwDiqSixbPLAuPIqARtiQLCOsjdadnDP9TsyavellrsvvuzljZz7NcVVL4edWeP4Li"
    "XK0HjyTQgrhNrTKmFAcCi0N1voxpENXOge+opHrWyfn5yJS3XiCWGTLdEIvMa2olZ0p3PU"
    "G4/+cQJsRO3H6L7nDb4YXo9PgEm8Dfan3wOVNt4pu90WdjuuDMiuhleYJi3G9rAoTinXMT"
    "mkhfCJ2Mi4w7+ix9R4lKtGH6AA8nRoVmzDZai+Rdod+3L2vYh6Y3b3+qx73mv9zDdVVKmM"
    "f0ds0qBfHaGBphTyyNV2kVK+RDqrp7lBxVKKOVOXsTHl/opMAWb/zQzdgCaAuk5cTMER16"
    "i9awu2OnnJdOk7Gy7agD0KY2SC29uFdXv7IltD3+XNM1T131t+RSFP8SzPXVLp73UYqtoF"
    "+rsvrczFUzb/K4TSNktom5GeUZbhCGSPbnoEtvZCcRnHi3y3i5TTBftIItmCI5CKlplP59"
    "hSgbnEnfD3mqCscZoQE0GcYy2JARNMTxiyqqYclux3TX86HF7E1vSn/eSi/evlaY+pUIJ9"
    "VsmgsVE6i/NNrFRJsLJf1Nl+4eKtpJ0BV/Kus7yFf5KjM/5l5qw4qgnWkcoXXsqLqWH+LM"
    "qL6TlKPc+LScK7pUqT0RnBD8h2oC+NlNEodr1dZDbSkzXX2o2+z5GNAOGxrg6ywZHF/vGV"
    "xxfAcE6ERYfdwXhAYGrDGW2LEociqw2Wc0jFnxNCAVxCgzpp41ElT1AWpCZZkJSBo1oDh7"
    "LQVbxQVBakyh1ukCXDblBfaTnruRXTqh9dXZbfKKZ5HL/plOD4TSeXY34p4cUwzaG40PwZ"
    "QSnbp4Ttc244lNgZMZT5KScikHqknODPa0zKCaVS5488zVKpY8tOe4psaXeiKGojh6K6TS"
    "118CcSpKblIO1RNAzuc1gyKOtSFG17Maci9gJg8PXi4qm8ijzeM2xDoUDyjULio5xy5iAR"
    "i2NZpqELGxJ367mD2PAsSoAH4LBbEQxNoCObGjNej93GZq1hCRnxLubx8TkuRLu6sYr0qf"
    "Eg1C6w83jdCxMpS0QEsxtbRI1yiOxe0VCp7Cr0Rbds8ifSM9aw+fxGIHu0U+7HSrn71nuA"
    "qenEloUk363zUffT+MTb7rjB119PL/vjce/8BDjuZGFQ9oo3+KrbZwUWNKY8XONL70xUsB"
    "FvTvx69+pqNPzGy9i8apMHXnb9S//qStxnblgWLzkbXl5d9ARUJwuLr2d4aXdw1ru4EKWc"
    "StMUpRfDa1FkEgfVJAUeWTKZaRsYsBO4qlpEk4ysHmcb2LJTQGXRXm91xc7SX5aXtVFFIP"
    "WwUTUrLao74UOrNofOXGqrIYFTbX/9bo5Pmfh7A6oDXOOoriSnoMU4QtLNOo5qHNO7b9Ts"
    "G92NTNwxoHK8rY9BO+0ayG7FF+iO4/tXSezlJaFqQ09iQw8ueJChNkMZrOdniYmBGrSVsL"
    "M8Mfz2iFHEfQYzW3SB/1UaqvwA1hs4Ato28CiPIdU0UedpIrTibBZ6FcMqSddZ0ipCJH8o"
    "PUzHBhUh8hylvoMIkdgkH0ZhbJkINRn6cZAjfTobauJ8qAXCWeexyBB15d3lAHtMKZIW7H"
    "tsA5pbsnTp36apNEV8R7bteKs7NajfSbkoRfIguubMMIP+lU3qEKMxYf+sp/ZT7G4NYTZu"
    "JRJOS7vgarS6VUOIknR8C8b1DNe3yJCf7/xmRSqV8n7zMnQBdnMgXI9E2mmIY85r3oUjCP"
    "4+Ajp7Zht4dQz80of7j81xhKvgGcon7lB94lyqsZeaIlm/uARO+catNb55dAmGMole72EU"
    "v0OdfeZag+64/613Arz/b/CX6+5V/wSI/5KDUhlx7DgklQ11cj4mIaDOrNemqbO5YSO3qS"
    "SueTb9Cjx5nmhzqnZtese7U9HXkGjCCVgDh4vXnSIiV14iHwq8RD6kJkdjgTT0wzLsjNmx"
    "2KiZgDbQqnm4Vsy08dqyERvlpSaFENG86aDzrozLMquV25fEtbQb+8ZrzBC8Ryd2F3M/85"
    "bkEvPrwPNR99Bxj/W4Lzn3YP/0dXDuebDPXPYuNfEvZ4/CDhR+rZmRqvm9Io1s2gnHVSxL"
    "jU12zSIwtR1e57nF6+2b7IZHgUrGdZZxMH5LKjxJ2P5UnuMD0XccRKkpffh7HNW8Bdrup3"
    "xMqDF71NADd6eTm/MzoM1jfPcWEp82Gy7TZOeHO8VRW0U81YzvfYc2+UyKk1okhuwkTA3Z"
    "KQdq5f7XMEcw5f73HKWe5/5Xg2xWtZPwc0xnVTchbJ3PasR6w6h/Ni7KZ5VU+bb0qBuJmz"
    "SIbDlvOkm/J5+tDLenFY/5Xk/2qs5ap6eub5Hlx/cdWdCm7McLAIUdN/Ax+hu4veUOJ15N"
    "NkLe3oIFvEcOqyfOkPVStrMX9W+W9nuq7jHK9anGg3gbFLs+haKWUcNTwMY5PykvhUPxUm"
    "ALXkfOQWGFaFxGsI/HZbzEjvPdxI6TzdZG7CMdKm0WTeIaR3UVOfYPbNf6ajQ8611f9wef"
    "JSmPIE/A6jfPxHbGf58A/8cN7p4OhqPL7sUJCH6t9ra9/5MrnacxavvToZw5OwZShuwyiY"
    "t0HTnORmHdUaTa4ayPoSdt31PbFU+7XaGs6vkD3GHaV5VV/TlKvYxV3bf8SNvV47gmaaZP"
    "a1mPxEtuaVtvXkR+O2Fdj7dBaft6lebjMNA/w4AcTQKQb0JeRGuVipx1LZPAKZqCmWEiEd"
    "LKD/0M7gMck1BwxA9me8FtwNAPcf2bsOlitGTaugAId4OMc0R3/4gbfIPH7Iq4meF4tYi9"
    "gGyZxp7x5ar3GRy5lm3czWmbXQELRCG3ZrbBjdvpvH8LOsfHx8D6Ef79GlyevhBWbAYyMD"
    "S1/769vcEeWRO0Os7Uj/TFFPCkXm2GYDLH7Eud21tR4S+XvQV9BJZNmEAWDvtYbjw/ur2d"
    "EPrKWDCxO/zWPDTYecEPSjX0uUDa6MFgn2qzOyOHlSOceKI+Jw4ClIB7hCxxzZoT9ifEj0"
    "v4WNKk/ntsb4kT7x22qszstTOzC+Gk+C/wKPTrNzByavcWAQtSubS6fv0Gktt5965UKM27"
    "glCadxkJEymfY/OjtnM0wQSugXxXYN4y/j+D5NxhOqjepNX37ry557Dz7r3UuBsiVGMt0V"
    "iXxjRr6M1trWF9lQk448RUxBe5EmyuAIrOjM5PXFuXO9ogROxxA22J9DmUPbyoNnEcgcYk"
    "Y6SPYupxhkqjzvkN1d4ZV6OltI4MaOP27Cs4HitgTXLplsKp2I7kGB5SJLvQSAPVFFlAr/"
    "TSIwOpCFaxSc3fTyuzi6qiVOqzl6aiVMrto+VGqZx1r8+6572n2kTrulODXpC7VsYmWnit"
    "XbSJBnktzfSrldpFY41hNgNeXpkTsJwTMDWm/sYR8bd5BGFtsXXzAE0XOWCC2LIZAYinAM"
    "4osrO3z3Z4bxV0UeMxqV2wG+Q6yJY9dzGKUbbJMsEWumzWwhWigQTvPpGUN2VIRg1FMI07"
    "z3L3FHvDvoxxbYWoh2mtUccTi6lXRhohQAlj98KQ1qmVLn14urRYLkvr0lFUg+xST6tKC1"
    "J3oEpfB/c5LBmU1aSjbS+mSbMXAIOvFxdPpUpHzvzJUKbjJwLlq9Pxc4jW69PfA3fLs66n"
    "6Rp0HqQcEKvBE99bEtjcu7INIudHtVk1x1myam3gzA3LYvJJa9U7f0LgkxqpF1YD6AebtB"
    "1whLBuP1qs8b4AhI28wMXUMIFBuRMrI814QDaaCh0e+6VLw0IqW0LtR8B2geLutSNNtCOJ"
    "3ZIkTG30pSP4/0Q5+nr+6joGqscKu1GeBOzSFocop9Eq4rY+QWDplbYfs7CZqGNQJec6y5"
    "mvajQnjCsq7cwdh6lMBest0IIyTKiWZ8bjvaqA7Ti0qFcdHvcFXPNeksdkjgWuBJG5prjn"
    "xOM9etyg68dRqueXiEiyydTVN5pLE1A1l9Z5Lg2sApo+hxgjqV6VhW1e39q9u23Im4N0G2"
    "X0rzH6kZuwIAVtAuNFPar327hYLww71MVw8DmonlQWcyQQ2rk2Ok8o5yZqxKvziKcT1zay"
    "lmBFYaAhpAm9bQ8nJOv37AUkPSsSsOYxXUGoLTf4bzR4xZFqxKrziLXNJKXmpkOStMpelj"
    "+UHqaHSIbYa3smyDPZHk05iMg4M6yNyxhiNCbsn6qjMp5UWBXFZGzlHOI55WT4hYTeOvku"
    "IaFjULnoCv7dxEQA6iIHmJcZLPSvMBzgUMKmXAAdnj0M2ncEd4wpmENnLlwtsuMqdnJX5Z"
    "hR45GnDeoeUdHowytCgw3vMhsZOgNgA6MrKsm7ZbPxLJvo9WcBBNg6c90a9b71e997o5Mw"
    "YeINHl71Rt3xkJURi78jYWXd88v+4ATA6cLAycH/aYzQPFToIUM4p4TxDnF+fNFDllQmDF"
    "WVWIIhaL+64+lweBHTH077ScPy18vTHmNdkM4qGTQ21K+onkHDFKoZRQuLZmSayZ1iM5DK"
    "8y5Fr2E7VAupktWcM+DKSFIfbTltJDGJfs9EJdyVZYWdxCpJ11rS0BFx7wbeoF+nwErWdZ"
    "a1SjSTP2EepukzLzhOwv6WjIXf8vDYaLqNg+zp6dNjY7uByHG2J0mYy669Wx1gZ8llqsrA"
    "tBhneSbICKdrLJGaE6la4uhdx7jDaPrSwGBik6XD48W47VAn5N5A/+UASu55DFdoQRThXt"
    "ABBnXA9S/dl51377OO2t3VbZVN8kBtkkLA0tayOErZJdfaJXXHnuX6AhZ4JcVhdbaT1YZq"
    "9MMy2Oplg1VmHNnAVeaBrCqVMqGUiXpl2qidhJ9jqo26CWHrXBtPnLXybJU5opWh0EQvF+"
    "ozeqJiOf+KSNoKw3FcpltMHoMEGXRuE/duLiox7H2OM4X0LZSWUuORpkhLuTeyUlkUBAMa"
    "mTksmrBg3v028ZPFW5YgOtXU93QAQwV+/IIrbY5+yLAcRylFey3NYiKwtalUTtUYqHGHib"
    "x7XSb8h9XKpVlcSzRnd8Lz2kgSHUc1cHSulGtZK10S17hctrsfPsiSkaERC+GsBV9ByuAE"
    "TlG9lmrLJrx1yrAcgTRulN59jOa6pC75FrLyOV0O1EJ2IBaxUobQNRlniqVcKuHM7oT8BA"
    "EsjZCxQyF1Mzb9y7lZr9B7HDU9i4zk2NnqX19/7Z2f+PacGzzqDXrfeYHN3nHplXwb/uqV"
    "PJB7/wlPrkPbyDIhT4gzeZS2TqexFWWDbqrdKJYekLeJzbIDRpDKj7DOoyGXlS5cnDQbQU"
    "fu/JRMcPMSUex+ORkxt2sWWqQ5z09plAFthO6/75xGas87v/U3d89bZYxomtQzZrm6ZIyo"
    "26RWB0eHfR/PWTMZbJ0JosyZItHV3YJ/qL2lj/uIK4zQHPl3O8DBrVRAgO195m7IahJJVX"
    "rOJNtWhvdMRvPL96DxhajZ0dolggJ8HAhwgPJTZpbQAQ7CFBwRGzAhuWj64gSwCws2QwGC"
    "EbBY1aj3DD+xNbhHVpRAZc/JcMj5PelPFJLyh/LVqctk2QZFx8+sGnF5pXyFaYRmWLW9kf"
    "e7TVJCrmAN1AYOd/Wf4d4eMZnIjmdprHJ63pUukJicttQIEj62ByaQsopBuj3WyQ2aSeva"
    "i7DKWMatLhYu4DxnyLDe2qUbP7hPJAoCHsoBZCZWTOx57cCL2fP9AxaTARWhl/yIvqPb20"
    "ijebXywry9fZFeulX4HOVLXeMBrGh9Vh9330Y7olruvcwWiV+9EYvffW+LMO40zJiV5DvE"
    "NGH37yk4n3ipljIG86IEcwnkHrPMhSUHm2bOW8Twc401NiDLtPc0UrV6+VZvE7rhVlwcqf"
    "xLaq17q232hm24qm325yj1vG12iexke9hFauXvHpXaNSpnceAB0z7AS/Ekdmu9jRwLPjpg"
    "Rmym97e99E/RyGoKfAdVpy3SPlk24fw72UHZFTxDWRoO1NLwpMFUNYtGqNrcUB+rTrN5fk"
    "QwyzMld0QJ6zdpC2Zneb15ZMrGpweE4D1GtYgZTT6sZTg674140IqPv8FX3T7704IG+/1r"
    "7x+fe4MTwHoje+kbnAyC+T7qj8e8wtI2KEU1OV3AciemocvaIeKoBkRx7tsEwZZXGwz0cV"
    "QDaK88YeOBRjs0pp1vcJSGOkOjaK4VyfKRbRMpz6w4qgHtuPKBQxkPG2ZGUsbD5yj1UjE6"
    "7Au2cdTLxjdJU9xz/Lc6ZrcufpKJpp0WiPKVzA6iyhwStveXVIcaS0lhj4cad5lars9bGb"
    "tA/pV20SYQXNVZtweUz9KOd1iey/bKlqpZ/sbJA7KDs2HK6mkRSCN8CPdwci3vVBIM+9Ub"
    "yO7r4+MyxuHj43zrML+W0IMJpghnqENfroeDHAV4BUnqQYZOwb+BaTiHuBYuIJeTUWw6S1"
    "rJ2nEtht/gNGsptk+fhp//Ac+7YjY="
)
