shop.rtp.c shop.rtp.h: rtgen/good/shop.rtp
