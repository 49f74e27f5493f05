from lanlab.cli.main import main

main()
