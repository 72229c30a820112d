from lrtool.cli import main

main(prog_name="lrtool")
