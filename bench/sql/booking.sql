-- The raw-SQL limit for one booking attempt, the same statements as booking_create:
-- lock the room row, re-check overlap, insert the booking and its event, in one transaction.
-- The exclusion constraint stays in force. Variables: lo, hi (room ids), window (days ahead).
\set room random(:lo, :hi)
\set d random(1, :window)
\set n random(1, 7)
BEGIN;
SELECT id FROM rooms_room WHERE id = :room FOR UPDATE;
WITH created AS (
  INSERT INTO bookings_booking (reference, property_id, room_id, guest_name, guest_email,
      guest_phone, guests, check_in, check_out, nights, total_price, currency, status, notes,
      cancel_reason, created_at, updated_at, confirmed_at)
  SELECT 'PB-' || substr(md5(random()::text), 1, 12), r.property_id, r.id, 'Bench Guest',
      'bench@example.com', '', 1, current_date + :d::int, current_date + :d::int + :n::int,
      :n::int, t.nightly_rate * :n::int, p.currency, 'confirmed', '', '', now(), now(), now()
  FROM rooms_room r
  JOIN rooms_roomtype t ON t.id = r.room_type_id
  JOIN rooms_property p ON p.id = r.property_id
  WHERE r.id = :room AND r.is_active AND NOT EXISTS (
    SELECT 1 FROM bookings_booking o
    WHERE o.room_id = r.id AND o.status IN ('pending', 'confirmed', 'checked_in')
      AND o.check_in < current_date + :d::int + :n::int AND o.check_out > current_date + :d::int)
  RETURNING id, status)
INSERT INTO bookings_bookingevent (booking_id, action, from_status, to_status, note, created_at)
SELECT id, 'booking.created', '', status, '', now() FROM created;
END;
