from expo_crm.cli import main

main()
