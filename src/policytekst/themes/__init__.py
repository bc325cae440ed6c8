"""policytekst.themes"""
