"""policytekst.compare"""
