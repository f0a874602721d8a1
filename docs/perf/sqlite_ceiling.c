// Measures the SQLite ceiling for durable appends without any Rust in the way; see docs/architecture.md.
// Usage: ceiling LAYOUT PAGE_SIZE STREAMS [BUCKET]; LAYOUT 0 = no stream index, 1 = UNIQUE(stream_id, seq), 2 = bucketed index,
// 3 = deferred index: a separate (stream_id, seq) -> position table filled every BUCKET events in one sorted INSERT ... SELECT.
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  int layout=atoi(argv[1]); int page=atoi(argv[2]); int streams=atoi(argv[3]); int bucket=argc>4?atoi(argv[4]):1024;
  unlink("ceiling.db");unlink("ceiling.db-wal");unlink("ceiling.db-shm");
  sqlite3*db; sqlite3_open("ceiling.db",&db);
  char q[512]; sprintf(q,"pragma page_size=%d; pragma journal_mode=wal; pragma synchronous=full; pragma wal_autocheckpoint=16384; pragma cache_size=-16000;",page);
  sqlite3_exec(db,q,0,0,0);
  const char* base="create table events(position integer primary key, stream_id blob not null, seq integer not null, event_id blob not null, stream_type text, kind text, actor text, occurred_at integer, payload text, payload_digest blob, hash blob, bucket integer)";
  sqlite3_exec(db,base,0,0,0);
  if(layout==1) sqlite3_exec(db,"create unique index s on events(stream_id,seq)",0,0,0);
  if(layout==2) { sqlite3_exec(db,"create index s on events(bucket,stream_id,seq)",0,0,0);
                  sqlite3_exec(db,"create table stream_buckets(stream_id blob, bucket integer, primary key(stream_id,bucket)) without rowid",0,0,0);}
  if(layout==3) { sqlite3_exec(db,"create table event_stream_index(stream_id blob, seq integer, position integer not null, primary key(stream_id,seq)) without rowid",0,0,0); }
  sqlite3_stmt*flush; sqlite3_prepare_v2(db,"insert into event_stream_index select stream_id, seq, position from events where position > ? order by stream_id, seq",-1,&flush,0);
  long indexed=0; double tf=0;
  sqlite3_stmt*ins; sqlite3_prepare_v2(db,"insert into events values(?,?,?,?,?,?,?,?,?,?,?,?)",-1,&ins,0);
  sqlite3_stmt*sb; sqlite3_prepare_v2(db,"insert or ignore into stream_buckets values(?,?)",-1,&sb,0);
  unsigned char (*ids)[16]=malloc(streams*16); long*seqs=calloc(streams,8); long*lastb=calloc(streams,8);
  for(int i=0;i<streams;i++){for(int j=0;j<16;j++)ids[i][j]=rand(); lastb[i]=-1;}
  const char*payload="{\"n\": 1, \"note\": \"a typical small payload\"}";
  unsigned char h[32]; long pos=0; int N=256, B=1000; double ti=0,tc=0; double t0=now();
  for(int b=0;b<B;b++){
    double a=now(); sqlite3_exec(db,"begin immediate",0,0,0);
    for(int i=0;i<N;i++){ int s=i%streams; seqs[s]++; pos++; for(int k=0;k<32;k++)h[k]=rand();
      long bk=pos/bucket;
      sqlite3_bind_int64(ins,1,pos); sqlite3_bind_blob(ins,2,ids[s],16,SQLITE_STATIC); sqlite3_bind_int64(ins,3,seqs[s]);
      sqlite3_bind_blob(ins,4,h,16,SQLITE_TRANSIENT); sqlite3_bind_text(ins,5,"bench",-1,SQLITE_STATIC); sqlite3_bind_text(ins,6,"bench.appended",-1,SQLITE_STATIC);
      sqlite3_bind_text(ins,7,"system",-1,SQLITE_STATIC); sqlite3_bind_int64(ins,8,1800000000000000L); sqlite3_bind_text(ins,9,payload,-1,SQLITE_STATIC);
      sqlite3_bind_blob(ins,10,h,32,SQLITE_TRANSIENT); sqlite3_bind_blob(ins,11,h,32,SQLITE_TRANSIENT); sqlite3_bind_int64(ins,12,bk);
      if(sqlite3_step(ins)!=SQLITE_DONE){printf("err %s\n",sqlite3_errmsg(db));return 1;} sqlite3_reset(ins);
      if(layout==2 && lastb[s]!=bk){lastb[s]=bk; sqlite3_bind_blob(sb,1,ids[s],16,SQLITE_STATIC); sqlite3_bind_int64(sb,2,bk); sqlite3_step(sb); sqlite3_reset(sb);}
    }
    if(layout==3 && pos-indexed>=bucket){ double f=now(); sqlite3_bind_int64(flush,1,indexed); if(sqlite3_step(flush)!=SQLITE_DONE){printf("flush %s\n",sqlite3_errmsg(db));return 1;} sqlite3_reset(flush); indexed=pos; tf+=now()-f; }
    double m=now(); ti+=m-a;
    sqlite3_exec(db,"commit",0,0,0); tc+=now()-m;
  }
  double el=now()-t0;
  printf("layout %d page %d streams %d bucket %d: %.0f ev/s  insert %.3f ms (of which index flush %.3f) commit %.3f ms per batch\n",layout,page,streams,bucket,N*B/el,ti/B*1000,tf/B*1000,tc/B*1000);
}
