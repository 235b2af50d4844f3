module github.com/provobs/provobs

go 1.26
