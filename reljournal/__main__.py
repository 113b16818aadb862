from reljournal.cli import main

main()
