from policytekst.cli import main

main()
