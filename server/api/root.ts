import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";
import { enroll } from "@/server/api/routers/agent/enroll";
import { report } from "@/server/api/routers/agent/report";
import { health } from "@/server/api/routers/system/health";
import { getExposition as getMetricsExposition } from "@/server/api/routers/metrics/get-exposition";
import { ping } from "@/server/api/routers/system/ping";
import { pingPost } from "@/server/api/routers/system/ping-post";
import { listHosts } from "@/server/api/routers/hosts/list-hosts";
import { listFleetPageProcedure } from "@/server/api/routers/hosts/list-fleet-page";
import { getHost } from "@/server/api/routers/hosts/get-host";
import { me } from "@/server/api/routers/auth/me";
import { list as usersList } from "@/server/api/routers/users/list";
import { create as usersCreate } from "@/server/api/routers/users/create";
import { setRole as usersSetRole } from "@/server/api/routers/users/set-role";
import { createToken } from "@/server/api/routers/enrollment/create-token";
import { listTokens } from "@/server/api/routers/enrollment/list-tokens";
import { auditEvents } from "@/server/api/routers/admin/audit-events";
import { uploadCyclictest } from "@/server/api/routers/latency/upload-cyclictest";
import { listRuns as latencyListRuns } from "@/server/api/routers/latency/list-runs";
import { getRun as latencyGetRun } from "@/server/api/routers/latency/get-run";
import { getHostStats as latencyGetHostStats } from "@/server/api/routers/latency/get-host-stats";
import { getTrend as latencyGetTrend } from "@/server/api/routers/latency/get-trend";
import { getFleetReport as latencyGetFleetReport } from "@/server/api/routers/latency/get-fleet-report";
import { exportFleetReportCsv as latencyExportFleetReportCsv } from "@/server/api/routers/latency/export-fleet-report-csv";
import { getFleetReportPage as latencyGetFleetReportPage } from "@/server/api/routers/latency/get-fleet-report-page";
import { compareHosts as latencyCompareHosts } from "@/server/api/routers/latency/compare-hosts";
import { getSchedule as latencyGetSchedule } from "@/server/api/routers/latency/get-schedule";
import { setSchedule as latencySetSchedule } from "@/server/api/routers/latency/set-schedule";
import { getHostCompliance } from "@/server/api/routers/compliance/get-host-compliance";
import { listFleetCompliance } from "@/server/api/routers/compliance/list-fleet-compliance";
import { listFleetCompliancePageProcedure } from "@/server/api/routers/compliance/list-fleet-compliance-page";
import { exportComplianceCsv } from "@/server/api/routers/compliance/export-compliance-csv";
import { listProfiles as complianceListProfiles } from "@/server/api/routers/compliance/list-profiles";
import { getProfile as complianceGetProfile } from "@/server/api/routers/compliance/get-profile";
import { cloneProfile as complianceCloneProfile } from "@/server/api/routers/compliance/clone-profile";
import { updateProfile as complianceUpdateProfile } from "@/server/api/routers/compliance/update-profile";
import { deleteProfile as complianceDeleteProfile } from "@/server/api/routers/compliance/delete-profile";
import { assignProfile as complianceAssignProfile } from "@/server/api/routers/compliance/assign-profile";
import { getDriftHistory as complianceGetDriftHistory } from "@/server/api/routers/compliance/get-drift-history";
import { getHostQos } from "@/server/api/routers/qos/get-host-qos";
import { getVnfQos } from "@/server/api/routers/qos/get-vnf-qos";
import { proposeVnfMask } from "@/server/api/routers/qos/propose-vnf-mask";
import { nextJob as agentNextJob } from "@/server/api/routers/agent/next-job";
import { startJob as agentStartJob } from "@/server/api/routers/agent/start-job";
import { renewJob as agentRenewJob } from "@/server/api/routers/agent/renew-job";
import { finishJob as agentFinishJob } from "@/server/api/routers/agent/finish-job";
import { listJobs } from "@/server/api/routers/jobs/list-jobs";
import { getJob } from "@/server/api/routers/jobs/get-job";
import { createMigration as jobsCreateMigration } from "@/server/api/routers/jobs/create-migration";
import { createMigrationPrediction as jobsCreateMigrationPrediction } from "@/server/api/routers/jobs/create-migration-prediction";
import { cancelJob } from "@/server/api/routers/jobs/cancel-job";
import { getMigrationHistory as jobsGetMigrationHistory } from "@/server/api/routers/jobs/get-migration-history";
import { listHostVms as jobsListHostVms } from "@/server/api/routers/jobs/list-host-vms";
import { getAgentCa as enrollmentGetAgentCa } from "@/server/api/routers/enrollment/get-agent-ca";
import { createTuneJob as jobsCreateTune } from "@/server/api/routers/tuning/create-tune-job";
import { getTuneLatency as jobsTuneLatency } from "@/server/api/routers/tuning/get-tune-latency";
import { listVnfs } from "@/server/api/routers/vnfs/list-vnfs";
import { getVnf } from "@/server/api/routers/vnfs/get-vnf";
import { getVnfOutputs } from "@/server/api/routers/vnfs/get-vnf-outputs";
import { createVnf } from "@/server/api/routers/vnfs/create-vnf";
import { updateVnf } from "@/server/api/routers/vnfs/update-vnf";
import { deleteVnf } from "@/server/api/routers/vnfs/delete-vnf";
import { previewPlacement } from "@/server/api/routers/vnfs/preview-placement";
import { placeVnf } from "@/server/api/routers/vnfs/place-vnf";
import { unassignVnf } from "@/server/api/routers/vnfs/unassign-vnf";
import { getHostCpuMap } from "@/server/api/routers/vnfs/get-host-cpu-map";

export const appRouter = createTRPCRouter({
  compliance: createTRPCRouter({
    getHostCompliance,
    listFleetCompliance,
    fleetPage: listFleetCompliancePageProcedure,
    exportCsv: exportComplianceCsv,
    listProfiles: complianceListProfiles,
    getProfile: complianceGetProfile,
    cloneProfile: complianceCloneProfile,
    updateProfile: complianceUpdateProfile,
    deleteProfile: complianceDeleteProfile,
    assignProfile: complianceAssignProfile,
    getDriftHistory: complianceGetDriftHistory,
  }),
  qos: createTRPCRouter({ getHostQos, getVnfQos, proposeVnfMask }),
  auth: createTRPCRouter({ me }),
  users: createTRPCRouter({ list: usersList, create: usersCreate, setRole: usersSetRole }),
  enrollment: createTRPCRouter({ createToken, listTokens, getAgentCa: enrollmentGetAgentCa }),
  admin: createTRPCRouter({ auditEvents }),
  agent: createTRPCRouter({
    enroll,
    report,
    jobs: createTRPCRouter({ next: agentNextJob, start: agentStartJob, renew: agentRenewJob, finish: agentFinishJob }),
  }),
  jobs: createTRPCRouter({
    list: listJobs,
    get: getJob,
    createMigration: jobsCreateMigration,
    createMigrationPrediction: jobsCreateMigrationPrediction,
    createTune: jobsCreateTune,
    tuneLatency: jobsTuneLatency,
    cancel: cancelJob,
    getMigrationHistory: jobsGetMigrationHistory,
    listHostVms: jobsListHostVms,
  }),
  vnfs: createTRPCRouter({ list: listVnfs, get: getVnf, outputs: getVnfOutputs, create: createVnf, update: updateVnf, delete: deleteVnf }),
  placement: createTRPCRouter({ preview: previewPlacement, place: placeVnf, unassign: unassignVnf, hostCpuMap: getHostCpuMap }),
  system: createTRPCRouter({ health, ping, pingPost }),
  metrics: createTRPCRouter({ getExposition: getMetricsExposition }),
  hosts: createTRPCRouter({ list: listHosts, get: getHost, fleetPage: listFleetPageProcedure }),
  latency: createTRPCRouter({
    uploadCyclictest,
    listRuns: latencyListRuns,
    getRun: latencyGetRun,
    getHostStats: latencyGetHostStats,
    getTrend: latencyGetTrend,
    getFleetReport: latencyGetFleetReport,
    fleetReportPage: latencyGetFleetReportPage,
    exportFleetReportCsv: latencyExportFleetReportCsv,
    compareHosts: latencyCompareHosts,
    getSchedule: latencyGetSchedule,
    setSchedule: latencySetSchedule,
  }),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
