from propulse.cli import main

main()
