from outcomesite.cli import main

main()
