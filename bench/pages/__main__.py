"""`python -m bench.pages`, the same as `python -m bench`."""

from bench.pages import main

if __name__ == "__main__":
    main()
