-- VNFs and their CPU placement (issue 10). The primary key ("hostId", "cpu") of CpuAssignment is the
-- unique constraint that makes a double-booked CPU impossible, even when two admins place at once.

-- CreateTable
CREATE TABLE "Vnf" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "vcpus" INTEGER NOT NULL,
    "memoryMib" INTEGER NOT NULL,
    "pageSize" TEXT NOT NULL,
    "numaNode" INTEGER,
    "threadPolicy" TEXT NOT NULL,
    "emulatorThreads" TEXT NOT NULL,
    "cacheWays" INTEGER,
    "owner" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Vnf_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Vnf_pageSize_check" CHECK ("pageSize" IN ('1G', '2M', '4K')),
    CONSTRAINT "Vnf_threadPolicy_check" CHECK ("threadPolicy" IN ('prefer', 'isolate', 'require')),
    CONSTRAINT "Vnf_emulatorThreads_check" CHECK ("emulatorThreads" IN ('share', 'isolate')),
    CONSTRAINT "Vnf_vcpus_check" CHECK ("vcpus" BETWEEN 1 AND 512),
    CONSTRAINT "Vnf_memoryMib_check" CHECK ("memoryMib" >= 0)
);

-- CreateTable
CREATE TABLE "VnfPlacement" (
    "id" UUID NOT NULL,
    "vnfId" UUID NOT NULL,
    "hostId" UUID NOT NULL,
    "numaNode" INTEGER NOT NULL,
    "pageSize" TEXT,
    "pages" INTEGER NOT NULL DEFAULT 0,
    "emulatorCpus" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "warnings" JSONB NOT NULL DEFAULT '[]',
    "placedBy" TEXT NOT NULL,
    "placedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VnfPlacement_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "VnfPlacement_pageSize_check" CHECK ("pageSize" IS NULL OR "pageSize" IN ('1G', '2M')),
    CONSTRAINT "VnfPlacement_pages_check" CHECK ("pages" >= 0)
);

-- CreateTable
CREATE TABLE "CpuAssignment" (
    "hostId" UUID NOT NULL,
    "cpu" INTEGER NOT NULL,
    "vnfId" UUID NOT NULL,
    "placementId" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "vcpu" INTEGER,

    CONSTRAINT "CpuAssignment_pkey" PRIMARY KEY ("hostId","cpu"),
    CONSTRAINT "CpuAssignment_role_check" CHECK (("role" = 'vcpu' AND "vcpu" IS NOT NULL) OR ("role" IN ('emulator', 'reserved-sibling') AND "vcpu" IS NULL))
);

-- CreateIndex
CREATE UNIQUE INDEX "Vnf_name_key" ON "Vnf"("name");

-- CreateIndex
CREATE UNIQUE INDEX "VnfPlacement_vnfId_key" ON "VnfPlacement"("vnfId");

-- CreateIndex
CREATE INDEX "VnfPlacement_hostId_numaNode_idx" ON "VnfPlacement"("hostId", "numaNode");

-- CreateIndex
CREATE INDEX "CpuAssignment_vnfId_idx" ON "CpuAssignment"("vnfId");

-- CreateIndex
CREATE INDEX "CpuAssignment_placementId_idx" ON "CpuAssignment"("placementId");

-- AddForeignKey
ALTER TABLE "VnfPlacement" ADD CONSTRAINT "VnfPlacement_vnfId_fkey" FOREIGN KEY ("vnfId") REFERENCES "Vnf"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VnfPlacement" ADD CONSTRAINT "VnfPlacement_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CpuAssignment" ADD CONSTRAINT "CpuAssignment_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CpuAssignment" ADD CONSTRAINT "CpuAssignment_vnfId_fkey" FOREIGN KEY ("vnfId") REFERENCES "Vnf"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CpuAssignment" ADD CONSTRAINT "CpuAssignment_placementId_fkey" FOREIGN KEY ("placementId") REFERENCES "VnfPlacement"("id") ON DELETE CASCADE ON UPDATE CASCADE;
