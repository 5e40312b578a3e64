module nfvdeck/agent

go 1.19
