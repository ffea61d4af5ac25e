module rtbench-go

go 1.19
